// The command line: `npm run fuzz -- --seconds N --seed S [--calls N] [--only a,b] [--sync-only] [--trace]
// [--verbose] [--self-test] [--dist]`, and the command that reproduces a run.

/** What a run does. */
export interface Options {
  /** How long the run lasts. */
  seconds: number;
  /** The PRNG's seed: the call sequence is the PRNG's alone. */
  seed: number;
  /** Stops after this many calls (Infinity: only the time limit). */
  calls: number;
  /** Only these functions (and struct constructors), by export name; null: all. */
  only: readonly string[] | null;
  /** The synchronous API only (with --calls, the run then replays exactly). */
  syncOnly: boolean;
  /** Every call with the tracer on, writing to a sink. */
  trace: boolean;
  /** Prints every call, and each function's outcomes at the end. */
  verbose: boolean;
  /** Plants three bugs and passes only if the checks catch all three. */
  selfTest: boolean;
  /**
   * Accepted for old command lines. The old fuzzer loaded lib/ from its TypeScript unless told to load
   * dist/; this one always runs the lib/ compiled next to it, and `npm run fuzz` compiles both first.
   */
  dist: boolean;
}

/** The options of a run, set once by the entry point (tests of the table see the defaults). */
export const opts: Options = {
  seconds: 10,
  seed: 0,
  calls: Infinity,
  only: null,
  syncOnly: false,
  trace: false,
  verbose: false,
  selfTest: false,
  dist: false,
};

/** Reads the command line into {@link opts}; throws on an unknown or malformed option. */
export function parseArgs(argv: readonly string[]): Options {
  const o: Options = { ...opts, seed: NaN };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      if (i + 1 >= argv.length) throw new Error(`fuzz: ${a} needs a value`);
      return argv[++i];
    };
    if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--seed') o.seed = Number(next()) >>> 0;
    else if (a === '--calls') o.calls = Number(next());
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--sync-only') o.syncOnly = true;
    else if (a === '--dist') o.dist = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--trace') o.trace = true;
    else if (a === '--self-test') o.selfTest = true;
    else throw new Error(`fuzz: unknown option ${a}`);
  }
  // A count that is not a positive number would make a run of no calls that passes.
  for (const [name, v] of [
    ['--seconds', o.seconds],
    ['--calls', o.calls],
  ] as const) {
    if (!(v > 0)) throw new Error(`fuzz: ${name} wants a positive number`);
  }
  if (Number.isNaN(o.seed)) o.seed = (Math.random() * 2 ** 32) >>> 0;
  Object.assign(opts, o);
  return opts;
}

/**
 * The command that runs `o` again up to its call number `call`: the same seed and every option that
 * changes which calls are made or how (--trace, --only, --sync-only, --self-test). The time limit is
 * doubled so that a slower machine still reaches that call; --calls is what stops the run.
 */
export function reproduceCommand(o: Options, call: number): string {
  const args = ['--seed', String(o.seed), '--calls', String(call), '--seconds', String(o.seconds * 2)];
  if (o.trace) args.push('--trace');
  if (o.only !== null) args.push('--only', o.only.join(','));
  if (o.syncOnly) args.push('--sync-only');
  if (o.selfTest) args.push('--self-test');
  return `npm run fuzz -- ${args.join(' ')}`;
}
