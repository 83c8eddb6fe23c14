// Waiting on events instead of sleeping: a condition polled until it holds, the next turn of the
// event loop, a promise raced against a liveness bound, and a promise followed without letting a
// rejection go unhandled.

/** Waits until cond() holds, checking every few ms; throws after `limitMs` (a liveness bound, not a timing check). */
export async function waitFor(cond: () => boolean, what: string | (() => string), limitMs = 20000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Races p against a generous bound. Resolves 'done' when p settles first,
 * 'stuck' otherwise: a test asserts 'done' where p cannot finish if the
 * behaviour under test is broken (a starved thread pool, a blocked loop).
 */
export async function finishes(p: Promise<unknown>, limitMs = 20000): Promise<'done' | 'stuck'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'stuck'>((resolve) => {
    timer = setTimeout(() => resolve('stuck'), limitMs);
  });
  try {
    return await Promise.race([
      p.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      bound,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a promise ended, recorded without letting a rejection go unhandled. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise's outcome, plus a synchronous view of whether it has settled yet. */
export interface Tracked<T> {
  /** The promise followed. */
  readonly promise: Promise<T>;
  readonly done: Promise<Outcome<T>>;
  settled(): boolean;
}

/** Follows p: its outcome, and whether it has settled so far. */
export function track<T>(p: Promise<T>): Tracked<T> {
  let finished = false;
  const done = p.then(
    (value): Outcome<T> => {
      finished = true;
      return { ok: true, value };
    },
    (error: unknown): Outcome<T> => {
      finished = true;
      return { ok: false, error };
    },
  );
  return { promise: p, done, settled: () => finished };
}
