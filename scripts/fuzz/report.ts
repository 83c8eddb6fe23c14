// Failures and counts: what a run reports.
import { opts } from './options';

/** One failure, reported once per function and kind; repeats are only counted. */
export interface Failure {
  /** The call number it happened at (a run with `--calls` this number stops there). */
  readonly call: number;
  readonly what: string;
  readonly detail: string | undefined;
  /** The call that failed, as the fuzzer described it. */
  readonly repro: string;
  repeats: number;
}

/** Where the run is: what the failures are filed under. */
export const state = {
  /** Calls made so far (every kind). */
  callCount: 0,
  /** Promise calls made so far. */
  promiseCount: 0,
  /** The call being made or settled, described. */
  currentCall: '',
  /** Its function, as `bsdsock.recv` or `promises.recv`. */
  currentFn: '',
};

/** Every failure of the run, the first of each kind. */
export const failures: Failure[] = [];
const seen = new Map<string, Failure>();

/** Files a failure of the current call (printed at once, the first time for its function and kind). */
export function fail(what: string, detail?: string): void {
  const key = `${state.currentFn}|${what.split(': ').slice(-1)[0]}`;
  const known = seen.get(key);
  if (known !== undefined) {
    known.repeats++;
    return;
  }
  const entry: Failure = { call: state.callCount, what, detail, repro: state.currentCall, repeats: 0 };
  seen.set(key, entry);
  failures.push(entry);
  console.error(`\nFAIL #${failures.length} at call ${state.callCount} (seed ${opts.seed}): ${what}`);
  if (detail) console.error(`  ${detail}`);
  console.error(`  reproducer: ${state.currentCall}`);
}

/** A getter or valueOf of the fuzzer's own throws this; seeing it propagate is fine. */
export class FuzzerOwnError extends Error {}

/** How a call ended. */
export type Outcome = 'threw' | 'failed' | 'ok';

/** Per function: how often it threw, failed with -1 / rejected, succeeded. */
export const outcomes = new Map<string, Record<Outcome, number>>();

/** Counts one outcome of `fn`. */
export function tally(fn: string, outcome: Outcome): void {
  let o = outcomes.get(fn);
  if (o === undefined) {
    o = { threw: 0, failed: 0, ok: 0 };
    outcomes.set(fn, o);
  }
  o[outcome]++;
}
