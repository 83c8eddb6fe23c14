// Fuzzer for every exported function of bsdsock and bsdsock/promises.
//
//   npm run fuzz -- --seconds N --seed S [--calls N] [--only a,b] [--sync-only] [--trace] [--verbose] [--self-test]
//
// --trace runs every call with the tracer on, writing to a sink, so the tracer's decoders meet the same
// hostile arguments. --self-test plants three bugs (recv writes one byte past len, listen returns -1
// without setting errno, inet_ntoa throws an uncoded error) and passes only if the checks catch all three.
//
// Each call gets arguments from a seeded PRNG (table.ts, from the registry of calls lib/calls.ts): valid,
// boundary and hostile values (every JS type, NaN, ±0, ±Infinity, 2^31, 2^53, fractions, lengths one past
// a buffer's end, detached, zero-length, shared, resizable and odd-offset buffers, structs of the wrong
// family, strings with NUL and lone surrogates, objects whose getters and valueOf throw, descriptors that
// are closed, reused, files, FIFOs). After each call it checks (checks.ts, memory.ts):
//   - a throw is a TypeError/RangeError with code ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE /
//     ERR_INVALID_ARG_VALUE (or the fuzzer's own error, raised by one of its getters, passing through),
//     and errno is untouched;
//   - a C-style result is in range; -1 means errno changed to a value with an E* name; success leaves
//     errno unchanged; a descriptor that is not open gives EBADF and a file or FIFO gives ENOTSOCK where
//     C would;
//   - no byte changed outside what the call may write: guard bytes around every buffer, the tail past
//     `len`, and every byte of what a C function does not write (its registry entry's out-parameters);
//   - the promises API never touches errno, rejects only with Node-shaped errors, and settles every
//     operation once its descriptor is closed;
// and at the end that every descriptor it opened is closed, no new descriptor is left in /proc/self/fd
// and the engine holds no poll handle.
//
// Safety (fixtures.ts): sockets are limited to AF_INET/AF_INET6/AF_UNIX without SOCK_RAW, addresses are
// rewritten to loopback or TEST-NET and the fuzzer's own ports and relative paths, name resolution never
// leaves the machine (AI_NUMERICHOST, NI_NUMERICHOST where a lookup would; table.ts), F_SETOWN goes to
// this process, O_ASYNC is masked and no pollfd watches stdin, stdout or stderr: a fuzzer must not send
// traffic or signals elsewhere, nor change what it shares with its parent.
//
// No exported function is skipped; where a valid argument would block for ever it is replaced: the
// synchronous poll() gets timeout 0 (or an invalid value), the promises poll() 0, 1 or 20 ms. perror()
// is called rarely (it writes to stderr), inspect() too (it reads /proc/net/tcp), onErrno() rarely with a
// function (it keeps each one for ever), trace() and faults() are always switched back off.
//
// With --sync-only and --calls N a run replays exactly (the call sequence is the PRNG's alone); with
// promises the order in which operations settle depends on the kernel, so a run with the same seed is
// close, not identical.
//
// The modules: options.ts (command line, reproducer), rng.ts (PRNG), report.ts (failures), describe.ts
// (reproducer text), memory.ts (guarded buffers, structs, write windows), values.ts (hostile and valid
// scalars, strings, flags), fixtures.ts (descriptors and what is made of them), table.ts (the per-call
// table), checks.ts (invariants), runner.ts (the run).
import { fail } from './report';
import { opts, parseArgs } from './options';
import { seedRng } from './rng';
import { setUp, tearDown } from './fixtures';
import { fuzz, onUncaught } from './runner';

parseArgs(process.argv.slice(2));
seedRng(opts.seed);
setUp();
process.on('uncaughtException', (e) => {
  onUncaught(e);
  tearDown();
  process.exit(1);
});
process.on('unhandledRejection', (e) => {
  fail('unhandled rejection', String((e as { stack?: unknown } | null)?.stack ?? e));
});
fuzz().then(
  (status) => {
    tearDown();
    process.exitCode = status;
  },
  (e: unknown) => {
    console.error(e);
    tearDown();
    process.exit(2);
  },
);
