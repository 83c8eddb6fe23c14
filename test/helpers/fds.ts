// The process's open descriptors, as /proc/self/fd shows them, so a suite
// can prove it closed everything it opened.
import { readdirSync, readlinkSync } from 'node:fs';

/** fd number -> what it refers to ("socket:[1234]", "pipe:[5]", a path). */
export function openDescriptors(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The directory's own descriptor is gone by the time it is read.
    }
  }
  return out;
}

/** The sockets open now that were not open in `before`. */
export function newSockets(before: Map<number, string>): string[] {
  const leaked: string[] = [];
  for (const [fd, target] of openDescriptors()) {
    if (target.startsWith('socket:') && before.get(fd) !== target) leaked.push(`${fd} -> ${target}`);
  }
  return leaked;
}
