// What some tests need from the machine that `npm install` cannot bring: a C compiler to build the C
// references, strace, curl, util-linux's prlimit/setpriv/taskset/unshare, iproute2's ip, a network
// namespace. `npm test` must pass on a fresh machine, so a test whose need is missing is skipped, and
// says so: its name ends with `(skipped: strace is not installed: apt-get install strace)`, and the
// reporter test/setup/skip-reporter.js lists every such skip at the end of the run.
//
// .ci/run installs all of them and sets BSDSOCK_REQUIRE_ALL_TOOLS=1, which turns each of these skips
// into a failing test that names what is missing: CI cannot skip silently.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Something a test needs from the machine. */
export interface Need {
  /** Null when it is there; else what is missing, as a skip line says it ('strace is not installed'). */
  readonly missing: string | null;
  /** How to get it ('apt-get install strace'). */
  readonly how: string;
}

/** BSDSOCK_REQUIRE_ALL_TOOLS=1: a missing need fails its test instead of skipping it. */
export const requireAll = process.env.BSDSOCK_REQUIRE_ALL_TOOLS === '1';

/** The path of an executable on PATH, or null. */
export function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not in this directory
    }
  }
  return null;
}

const programs = new Map<string, Need>();

/** A program found on PATH; `debianPackage` provides it. */
export function program(command: string, debianPackage: string, label = command): Need {
  let need = programs.get(command);
  if (need === undefined) {
    need = {
      missing: which(command) === null ? `${label} is not installed` : null,
      how: `apt-get install ${debianPackage}`,
    };
    programs.set(command, need);
  }
  return need;
}

/** The C compiler the tests build their C references with. */
export const cc = (): Need => program('cc', 'build-essential', 'a C compiler (cc)');
export const strace = (): Need => program('strace', 'strace');
export const curl = (): Need => program('curl', 'curl');
export const prlimit = (): Need => program('prlimit', 'util-linux');
export const setpriv = (): Need => program('setpriv', 'util-linux');
export const taskset = (): Need => program('taskset', 'util-linux');
export const python3 = (): Need => program('python3', 'python3');

let netnsProbe: { argv: string[] | null; need: Need } | undefined;

/**
 * A private network namespace with its loopback up: the command prefix that enters one (`unshare -n` as
 * root, else `unshare -rn` in an unprivileged user namespace), or null, with the Need that says why not.
 */
export function networkNamespace(): { argv: string[] | null; need: Need } {
  if (netnsProbe !== undefined) return netnsProbe;
  const missingProgram = [program('unshare', 'util-linux'), program('ip', 'iproute2')].find((n) => n.missing !== null);
  if (missingProgram !== undefined) {
    netnsProbe = { argv: null, need: missingProgram };
    return netnsProbe;
  }
  for (const argv of [
    ['unshare', '-n'],
    ['unshare', '-rn'],
  ]) {
    const r = spawnSync(argv[0], [...argv.slice(1), 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
    if (r.status === 0) {
      netnsProbe = { argv, need: { missing: null, how: '' } };
      return netnsProbe;
    }
  }
  netnsProbe = {
    argv: null,
    need: {
      missing: 'no network namespace can be made here',
      how: 'run as root (unshare -n), or allow unprivileged user namespaces (unshare -rn: sysctl kernel.unprivileged_userns_clone=1)',
    },
  };
  return netnsProbe;
}

/** The network namespace as a Need. */
export const netns = (): Need => networkNamespace().need;

let usernsProbe: Need | undefined;

/**
 * A user and network namespace of one's own (`unshare -rn`, what the demo uses to capture packets
 * without root), as a Need.
 */
export function userns(): Need {
  if (usernsProbe !== undefined) return usernsProbe;
  const unshare = program('unshare', 'util-linux');
  if (unshare.missing !== null) return (usernsProbe = unshare);
  const r = spawnSync('unshare', ['-rn', 'true'], { encoding: 'utf8' });
  usernsProbe =
    r.status === 0
      ? { missing: null, how: '' }
      : {
          missing: 'no user namespace can be made here (unshare -rn fails)',
          how: 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)',
        };
  return usernsProbe;
}

/** What is missing among `needs`, as one line ('strace is not installed: apt-get install strace'), or null. */
export function missing(needs: Need[]): string | null {
  const absent = needs.filter((n) => n.missing !== null);
  if (absent.length === 0) return null;
  return absent.map((n) => `${n.missing}: ${n.how}`).join('; ');
}

function failure(reason: string): Error {
  return new Error(`${reason} (BSDSOCK_REQUIRE_ALL_TOOLS=1: a missing tool fails the test instead of skipping it)`);
}

/** `test`'s signature, with `each`. */
export interface TestFn {
  (name: string, fn: jest.ProvidesCallback, timeout?: number): void;
  each: jest.Each;
}
type DescribeFn = (name: string, fn: () => void) => void;

/**
 * `test` when every need is there. Else a test that is skipped, its name ending with
 * `(skipped: <what is missing>: <how to get it>)`, or under BSDSOCK_REQUIRE_ALL_TOOLS=1 one that fails
 * with that reason. Chosen when the test is defined. `.each` as jest's.
 */
export function testNeeding(...needs: Need[]): TestFn {
  const reason = missing(needs);
  if (reason === null) return test;
  if (requireAll) {
    const fails = (): void => {
      throw failure(reason);
    };
    const fn = (name: string, _fn: jest.ProvidesCallback, timeout?: number): void => test(name, fails, timeout);
    const each = ((table: readonly unknown[]) => (name: string, _fn: unknown, timeout?: number) =>
      test.each(table as unknown[][])(name, fails, timeout)) as unknown as jest.Each;
    return Object.assign(fn, { each });
  }
  const suffix = ` (skipped: ${reason})`;
  const fn = (name: string, body: jest.ProvidesCallback, timeout?: number): void =>
    test.skip(`${name}${suffix}`, body, timeout);
  const each = ((table: readonly unknown[]) =>
    (name: string, body: (...args: unknown[]) => unknown, timeout?: number) =>
      test.skip.each(table as unknown[][])(`${name}${suffix}`, body, timeout)) as unknown as jest.Each;
  return Object.assign(fn, { each });
}

/** As testNeeding, for a describe block: every test in it is skipped (or one failing test stands for them). */
export function describeNeeding(...needs: Need[]): DescribeFn {
  const reason = missing(needs);
  if (reason === null) return describe;
  if (requireAll) {
    return (name) =>
      describe(name, () => {
        test('has what it needs', () => {
          throw failure(reason);
        });
      });
  }
  return (name, fn) => describe.skip(`${name} (skipped: ${reason})`, fn);
}
