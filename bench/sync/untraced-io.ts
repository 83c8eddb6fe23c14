// lib/io.ts's send and recv with the tracer's `tracing ?` branch taken out,
// and nothing else changed: the baseline of the trace-cost workload.
import { fail } from '../../lib/errno';
import { recvNow, sendNow } from '../../lib/io';

export function send(sockfd: number, buf: Buffer, len: number, flags: number): number {
  const r = sendNow(sockfd, buf, len, flags);
  return r < 0 ? fail(r) : r;
}

export function recv(sockfd: number, buf: Buffer, len: number, flags: number): number {
  const r = recvNow(sockfd, buf, len, flags);
  return r < 0 ? fail(r) : r;
}
