// What every node:net peer shares: argument parsing and the harness's
// stdout protocol ("port <n>", then "done n=<ops> cpu_us=<us>" or
// "done n=<ops> ns=<ns>"), as in bench/c/common.h.
import type { AddressInfo, Server } from 'node:net';

// Linux's SOMAXCONN, which the C and bsdsock servers pass to listen(2);
// node:net would otherwise use 511.
export const BACKLOG = 4096;
export const HOST = '127.0.0.1';

export function arg_count(s: string | undefined): number {
  const v = Number(s);
  if (s === undefined || s === '' || !Number.isSafeInteger(v) || v < 0) {
    process.stderr.write(`not a count: ${s}\n`);
    process.exit(1);
  }
  return v;
}

export function cpu_us(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function printPort(server: Server): void {
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
}

export function fatal(what: string): (err: Error) => void {
  return (err) => {
    process.stderr.write(`${what}: ${err.message}\n`);
    process.exit(1);
  };
}

export function usage(text: string): never {
  process.stderr.write(`usage: ${text}\n`);
  process.exit(1);
}
