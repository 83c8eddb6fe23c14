// The TypeScript half of the readiness engine (native/async.cc holds the
// libuv handles). An operation first tries its non-blocking system call;
// only on EAGAIN does it queue on its descriptor and direction, and the
// engine retries queued operations, in the order they started, when libuv
// says the descriptor is ready.
import { abortError, onAbort, systemError } from './errors';
import { native } from './native';
import { EAGAIN, ECANCELED, EINTR, EWOULDBLOCK } from './constants.gen';

const { engine } = native;
const READABLE = engine.READABLE;
const WRITABLE = engine.WRITABLE;

// Whether the event loop stays alive: the native side keeps it alive while
// state[WAITING] > 0 (operations queued, and polls watching). The count is
// kept here, in memory both sides share; a call crosses over only when it
// leaves 0, or reaches 0 outside a dispatch (after one, the native side
// looks at the count itself).
const state = engine.state;
const WAITING = 0;
const KEPT = 1;
let dispatching = false;

function waitBegins(): void {
  if (state[WAITING]++ === 0 && state[KEPT] === 0) engine.keep(true);
}

function waitEnds(): void {
  if (--state[WAITING] === 0 && !dispatching && state[KEPT] === 1) engine.keep(false);
}

/** The direction an operation waits on. */
export type Direction = number;
export { READABLE, WRITABLE };

/**
 * What an operation does. A hot call (recv) implements it as a class, one
 * object per call; others pass closures to start().
 * @internal
 */
export interface Call {
  /** Makes the system call (or its follow-up): its result, or a negative errno; -EAGAIN: wait again. */
  run(): number;
  /** Checks the arguments (throwing) of an operation that waits without being tried first. */
  check(): void;
  /** The error for a failure, when not systemError's (send adds how many bytes it wrote first). */
  readonly error: ((errnum: number) => Error) | undefined;
}

// A Call made of closures.
class Closures implements Call {
  constructor(
    readonly run: () => number,
    readonly check: () => void,
    readonly error: ((errnum: number) => Error) | undefined,
  ) {}
}

function checkNothing(): void {}

// The queue of a direction where no operation has waited yet, shared by
// every descriptor: a server holds thousands of idle connections, most of
// which never wait to write. Frozen, so that a push on it throws instead of
// queueing on every descriptor at once.
const NO_QUEUE = Object.freeze([]) as readonly Waiting[] as Waiting[];

/** The engine's state of one descriptor. @internal */
export class Descriptor {
  /** The operations waiting to read, in the order they started (NO_QUEUE until one waits). */
  readers: Waiting[] = NO_QUEUE;
  /** The same, to write. */
  writers: Waiting[] = NO_QUEUE;
  /**
   * Operations (poll) that want a wake-up in a direction but consume nothing: none, one (as itself:
   * a server's idle connection has one poll), or several in an array.
   */
  observers: Waiting | Waiting[] | undefined = undefined;
  /**
   * Directions whose last call found nothing more to do (EAGAIN, or a read
   * shorter than asked) since they were last reported ready: the next
   * operation there waits for readiness instead of making a call that would
   * most likely fail with EAGAIN. The poll handle is level-triggered, so
   * anything that arrived in between is reported on the next loop turn.
   */
  spent = 0;
  /** Operations settled by their first attempt in `immediateTurn` (see IMMEDIATE_BUDGET). */
  immediate = 0;
  immediateTurn = 0;
  /** The directions the native handle is armed for, as last told to it. */
  armed = 0;
  constructor(readonly fd: number) {}

  /** Arms `direction` on the native handle unless it is armed already. */
  arm(direction: Direction): void {
    if ((this.armed & direction) === direction) return;
    this.armed |= direction;
    engine.watch(this.fd, direction);
  }

  /** Disarms the directions given, where armed. */
  disarm(directions: Direction): void {
    if ((this.armed & directions) === 0) return;
    this.armed &= ~directions;
    engine.disarm(this.fd, directions);
  }

  queue(direction: Direction): Waiting[] {
    return direction === READABLE ? this.readers : this.writers;
  }

  /** Queues op in its direction; returns that direction's queue. */
  push(op: Waiting): Waiting[] {
    const queue = this.queue(op.direction);
    if (queue !== NO_QUEUE) {
      queue.push(op);
      return queue;
    }
    // Made holding op, the queue has room for it alone; `[]` then push would
    // make room for 17, for every idle connection's one pending recv.
    const made = [op];
    if (op.direction === READABLE) this.readers = made;
    else this.writers = made;
    return made;
  }

  waiting(): boolean {
    return this.readers.length + this.writers.length + this.observed() > 0;
  }

  /** How many observers there are. */
  observed(): number {
    const observers = this.observers;
    return observers === undefined ? 0 : Array.isArray(observers) ? observers.length : 1;
  }

  /** Adds an observer; a poll that lists fd twice observes it once. */
  observe(op: Waiting): void {
    const observers = this.observers;
    if (observers === undefined) this.observers = op;
    else if (!Array.isArray(observers)) {
      if (observers !== op) this.observers = [observers, op];
    }
    // The entries of one poll are added in one loop, so a repeat is the last.
    else if (observers[observers.length - 1] !== op) observers.push(op);
  }

  /** Removes an observer, where present. */
  unobserve(op: Waiting): void {
    const observers = this.observers;
    if (observers === op) this.observers = undefined;
    else if (Array.isArray(observers)) {
      const at = observers.indexOf(op);
      if (at >= 0) observers.splice(at, 1);
    }
  }
}

// Indexed by descriptor number (a small integer): an array load is cheaper
// than a Map lookup, and every operation makes a few.
const descriptors: (Descriptor | undefined)[] = [];

function isAgain(r: number): boolean {
  return r === -EAGAIN || r === -EWOULDBLOCK;
}

// The error of a failed call: systemError's, unless the operation makes its own.
function failure(syscall: string, call: Call, errnum: number): Error {
  return call.error === undefined ? systemError(syscall, errnum) : call.error(errnum);
}

// A call that returned EAGAIN, or read fewer bytes than asked for, has
// emptied its direction for now.
function spends(r: number, want: number): boolean {
  return r < 0 ? isAgain(r) : r < want && r > 0;
}

// Runs one operation's step until it settles or must wait. Returns true
// once settled. With `d`, a call that spent the operation's direction is
// noted there (see Descriptor.spent); observers (poll) consume nothing.
function advance(op: Waiting, d?: Descriptor): boolean {
  for (;;) {
    let r: number;
    try {
      r = op.call.run();
    } catch (error) {
      // A retry re-checks its arguments: a buffer detached or shrunk while
      // the operation waited throws here, inside the engine's libuv
      // callback, where it would be a fatal exception. It rejects instead.
      op.cleanup();
      op.reject(error as Error);
      return true;
    }
    if (r === -EINTR) continue; // interrupted by a signal: retried, as documented
    if (d !== undefined && spends(r, op.want)) d.spent |= op.direction;
    if (r >= 0) {
      op.cleanup();
      op.resolve(r);
      return true;
    }
    if (isAgain(r)) return false;
    op.cleanup();
    op.reject(failure(op.syscall, op.call, -r));
    return true;
  }
}

function drain(d: Descriptor, queue: Waiting[]): void {
  while (queue.length > 0) {
    if (!advance(queue[0], d)) return;
    // The usual queue holds one operation: pop is cheaper than shift.
    if (queue.length === 1) queue.pop();
    else queue.shift();
    waitEnds();
  }
}

// Wakes the observers (poll) that watch fd in `direction`; true if there was one.
function wakeObservers(observers: Waiting | Waiting[], direction: Direction): boolean {
  if (!Array.isArray(observers)) {
    if ((observers.direction & direction) === 0) return false;
    if (advance(observers)) forget(observers);
    return true;
  }
  let woken = false;
  // A settled observer leaves the array (forget): several are walked on a copy.
  for (const observer of observers.length === 1 ? observers : observers.slice()) {
    if (observer.direction & direction) {
      woken = true;
      if (advance(observer)) forget(observer);
    }
  }
  return woken;
}

// How many operations one descriptor may settle by their first attempt
// between two dispatches of readiness. Such a settlement is a resolved
// promise, not an event-loop turn: a server whose accept always finds a
// client waiting would otherwise chain accepts in microtasks forever while
// every readiness report (the end-of-file of the connections it already
// served) waits behind them, and its descriptors pile up to EMFILE. Past the
// budget an operation queues, as if it had got EAGAIN, and goes through the
// poll phase with everyone else. The budget is per descriptor, so that the
// many connections of one batch each go on at once, and small, so that an
// accept loop takes new connections at about the pace it closes old ones
// (with 64, a soak of 50 churning clients under CPU contention held twice
// as many descriptors as with 16).
const IMMEDIATE_BUDGET = 16;
// Counts dispatches; a descriptor's count of immediate settlements belongs
// to the turn it was made in.
let turn = 0;

// Returns the fired directions nobody waited on, for the native side to
// disarm.
function onReady(fd: number, fired: number, _status: number): number {
  const d = descriptors[fd];
  if (d === undefined) return 0;
  d.spent &= ~fired;
  const idle =
    ((fired & READABLE) !== 0 ? serve(d, READABLE) : 0) | ((fired & WRITABLE) !== 0 ? serve(d, WRITABLE) : 0);
  d.armed &= ~idle;
  return idle;
}

// Runs what waits on d in a direction found ready; returns the direction if
// nobody did.
function serve(d: Descriptor, direction: Direction): number {
  const queue = d.queue(direction);
  const observed = d.observers !== undefined && wakeObservers(d.observers, direction);
  if (queue.length === 0 && !observed) return direction;
  drain(d, queue);
  return 0;
}

// The native side hands over every descriptor one poll phase found ready in
// one call: per descriptor [fd, fired, status], and takes back onReady's
// answer in place of `fired`.
function onReadyBatch(batch: Int32Array, count: number): void {
  turn++;
  dispatching = true;
  try {
    for (let i = 0; i < count * 3; i += 3) batch[i + 1] = onReady(batch[i], batch[i + 1], batch[i + 2]);
  } finally {
    dispatching = false;
  }
}
engine.setCallback(onReadyBatch);

// An observer (poll) watches several descriptors; once settled it leaves them all.
function forget(op: Waiting): void {
  const watching = op.watching;
  if (watching === undefined) return;
  op.watching = undefined;
  if (typeof watching === 'number') leave(op, watching);
  else for (const fd of watching) leave(op, fd);
  if (typeof watching === 'number' || watching.length > 0) waitEnds();
}

function leave(op: Waiting, fd: number): void {
  const d = descriptors[fd];
  if (d === undefined) return;
  d.unobserve(op);
  // Nobody is left on fd: disarm both directions too, so an aborted or
  // timed-out poll leaves no watcher behind.
  if (!d.waiting()) d.disarm(READABLE | WRITABLE);
}

/**
 * Gives fd a poll handle (and makes it non-blocking). Returns 0 or -errno
 * (EEXIST when Node's own handle already watches it).
 * @param fd - the descriptor.
 */
export function attach(fd: number): number {
  if (descriptors[fd] !== undefined) return 0;
  const r = engine.attach(fd);
  if (r === 0) descriptors[fd] = new Descriptor(fd);
  return r;
}

/** True when the promises API has a handle on fd. */
export function isAttached(fd: number): boolean {
  // Reached with what the caller passed to close(): only a number may index.
  return typeof fd === 'number' && descriptors[fd] !== undefined;
}

/**
 * Called by close() of either API before the descriptor is closed: stops
 * and frees fd's handle, and rejects every pending operation on it with
 * ECANCELED.
 * @param fd - the descriptor about to be closed.
 */
export function release(fd: number): void {
  const d = typeof fd === 'number' ? descriptors[fd] : undefined;
  if (d === undefined) return;
  descriptors[fd] = undefined;
  engine.release(fd);
  const observers = d.observers === undefined ? [] : Array.isArray(d.observers) ? d.observers : [d.observers];
  const pending = [...d.readers, ...d.writers, ...observers];
  d.readers = d.writers = NO_QUEUE;
  for (const op of pending) {
    // A poll leaves every descriptor it watches; a queued operation just ends.
    if (op.watching !== undefined) forget(op);
    else waitEnds();
    op.cleanup();
    op.reject(systemError(op.syscall, ECANCELED));
  }
}

/**
 * Starts an operation: tries it now when nothing is queued ahead of it in
 * its direction, the direction was not found spent (see Descriptor.spent)
 * and the immediate budget is not used up; else queues it. When it must
 * wait, arms fd's handle.
 * `validate` checks the arguments (throwing synchronously) for an operation
 * that is queued without being tried. `error` makes the error for a failure
 * (systemError by default); `want` is a read's byte count (0 otherwise).
 * @internal
 */
export function start(
  fd: number,
  syscall: string,
  direction: Direction,
  step: () => number,
  validate: () => void,
  signal: AbortSignal | undefined,
  error?: (errnum: number) => Error,
  want = 0,
): Promise<number> {
  return startCall(fd, syscall, direction, new Closures(step, validate, error), signal, want);
}

/**
 * start() for an operation given as a {@link Call}.
 * @internal
 */
export function startCall(
  fd: number,
  syscall: string,
  direction: Direction,
  call: Call,
  signal: AbortSignal | undefined,
  want: number,
): Promise<number> {
  let d = descriptors[fd];
  if (d === undefined) {
    const attached = attach(fd);
    if (attached !== 0) {
      // No handle (a closed descriptor, a file, or one Node's own handle
      // watches): one attempt tells the caller what the kernel says.
      const r = call.run();
      if (r >= 0) return Promise.resolve(r);
      return Promise.reject(failure(syscall, call, isAgain(r) ? -attached : -r));
    }
    d = descriptors[fd]!;
  }
  const queue = d.queue(direction);
  if (signal?.aborted) {
    call.check();
    return Promise.reject(abortError(signal));
  }
  // The first attempt (or the argument check of a queued operation) runs
  // here, outside the Promise executor, so that a programming error throws
  // synchronously instead of turning into a rejection.
  if (mayTryNow(d, queue, direction)) {
    let r = call.run();
    while (r === -EINTR) r = call.run();
    tried(d, direction, r, want);
    if (r >= 0) return Promise.resolve(r);
    if (!isAgain(r)) return Promise.reject(failure(syscall, call, -r));
  } else {
    call.check();
  }
  return enqueue(d, syscall, direction, call, want, signal);
}

// True when an operation may be tried at once: nothing queued ahead of it,
// its direction not found spent, the descriptor's budget not used up.
function mayTryNow(d: Descriptor, queue: Waiting[], direction: Direction): boolean {
  if (d.immediateTurn !== turn) {
    d.immediateTurn = turn;
    d.immediate = 0;
  }
  return queue.length === 0 && (d.spent & direction) === 0 && d.immediate < IMMEDIATE_BUDGET;
}

/**
 * Notes what an attempt made at once found: a spent direction, the budget (start()'s, and the hot
 * calls' fast paths').
 * @internal
 */
export function tried(d: Descriptor, direction: Direction, r: number, want: number): void {
  if (spends(r, want)) d.spent |= direction;
  if (!isAgain(r)) d.immediate++;
}

/**
 * For the hot calls' fast paths (recv, send): fd's engine state when fd is
 * attached, else undefined (the caller then takes start()'s way).
 * @internal
 */
export function attached(fd: number): Descriptor | undefined {
  return descriptors[fd];
}

/**
 * Whether an operation in `direction` may be tried at once on d, as start()
 * decides it.
 * @internal
 */
export function mayTry(d: Descriptor, direction: Direction): boolean {
  return mayTryNow(d, d.queue(direction), direction);
}

/**
 * Queues on d an operation whose arguments were checked and that was tried
 * already or may not be tried now; `op.call` makes its system call.
 * @internal
 */
export function wait(d: Descriptor, op: Waiting): Promise<number> {
  return queued(d, op, undefined);
}

/**
 * wait() for an operation given as a Call.
 * @internal
 */
export function waitCall(d: Descriptor, syscall: string, direction: Direction, call: Call): Promise<number> {
  return queued(d, new Pending(syscall, direction, call, 0), undefined);
}

/**
 * A pending operation, as the engine keeps it in its queues.
 * @internal
 */
export interface Waiting {
  resolve: (value: number) => void;
  reject: (error: Error) => void;
  /** The timer of a poll with a timeout. */
  timer: NodeJS.Timeout | undefined;
  /** For a poll, until it settles: the descriptors it watches (one as a number: most polls watch one). */
  watching: number | number[] | undefined;
  /** Unhooks the abort signal's listener, once the operation settles. */
  unhook: () => void;
  /** What the operation does. */
  readonly call: Call;
  readonly syscall: string;
  readonly direction: Direction;
  /** For a read: the byte count asked for, so that a short read is noticed (0: not a read). */
  readonly want: number;
  /** Stops the timer and unhooks the signal. */
  cleanup(): void;
}

// A pending operation. A class rather than closures: one object per wait,
// with nothing captured for the calls that complete at once. A hot call
// (recv) has a class of its own that is both a Waiting and its Call, so that
// a wait costs one object.
class Pending implements Waiting {
  resolve: (value: number) => void = settledAlready;
  reject: (error: Error) => void = settledAlready;
  timer: NodeJS.Timeout | undefined = undefined;
  watching: number | number[] | undefined = undefined;
  unhook: () => void = settledAlready;
  constructor(
    readonly syscall: string,
    readonly direction: Direction,
    readonly call: Call,
    readonly want: number,
  ) {}

  cleanup(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unhook();
  }
}

/**
 * The settling functions of an operation not waiting yet, or settled.
 * @internal
 */
export function settledAlready(): void {}

// Makes the promise of a pending operation and hands its settling functions
// to it. The executor is one function for all, told its operation through a
// variable, so that no closure is made per wait.
let settling: Waiting | undefined;
function handOver(resolve: (value: number) => void, reject: (error: Error) => void): void {
  settling!.resolve = resolve;
  settling!.reject = reject;
}
function pending(op: Waiting): Promise<number> {
  settling = op;
  const promise = new Promise<number>(handOver);
  settling = undefined;
  return promise;
}

// The waiting half of start(), a function of its own so that an operation
// that completes at once allocates none of this.
function enqueue(
  d: Descriptor,
  syscall: string,
  direction: Direction,
  call: Call,
  want: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  return queued(d, new Pending(syscall, direction, call, want), signal);
}

function queued(d: Descriptor, op: Waiting, signal: AbortSignal | undefined): Promise<number> {
  const promise = pending(op);
  const direction = op.direction;
  const queue = d.push(op);
  waitBegins();
  d.arm(direction);
  if (signal !== undefined) {
    op.unhook = onAbort(signal, () => {
      const at = queue.indexOf(op);
      if (at < 0) return;
      queue.splice(at, 1);
      waitEnds();
      op.cleanup();
      // A poll may still watch this direction on fd.
      if (queue.length === 0 && d.observed() === 0) d.disarm(direction);
      op.reject(abortError(signal));
    });
  }
  return promise;
}

/**
 * Starts an observer: an operation woken by readiness on several
 * descriptors that consumes nothing (select, epoll_wait). It settles through
 * `step` or through its own timer.
 * @internal
 */
export function observe(
  interests: readonly (readonly [number, number])[],
  syscall: string,
  step: () => number,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  const op = new Pending(syscall, READABLE | WRITABLE, new Closures(step, checkNothing, undefined), 0);
  return observeWaiting(interests, op, timeout, signal);
}

/**
 * observe() for an operation that is its own Waiting and Call (poll's),
 * whose direction is READABLE | WRITABLE.
 * @internal
 */
export function observeWaiting(
  interests: readonly (readonly [number, number])[],
  op: Waiting,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  const promise = pending(op);
  const fds: number[] = new Array<number>(interests.length);
  let watched = 0;
  for (const [fd, direction] of interests) {
    if (attach(fd) !== 0) continue; // poll itself reports POLLNVAL for such an fd
    const d = descriptors[fd]!;
    d.observe(op);
    fds[watched++] = fd;
    d.arm(direction);
  }
  fds.length = watched;
  op.watching = watched === 1 ? fds[0] : fds;
  if (watched > 0) waitBegins();
  if (timeout >= 0) {
    op.timer = setTimeout(() => {
      forget(op);
      op.cleanup();
      op.resolve(0);
    }, timeout);
  }
  if (signal !== undefined) {
    op.unhook = onAbort(signal, () => {
      forget(op);
      op.cleanup();
      op.reject(abortError(signal));
    });
  }
  return promise;
}

/**
 * The engine's handles: how many exist, how many are armed, and on how many
 * descriptors operations wait (which keeps the event loop alive). For tests
 * and the socket ledger.
 */
export function engineStats(): {
  /** The readiness handles (one per descriptor the promises API has used and not released). */
  handles: number;
  /** The handles watching for readiness now. */
  armed: number;
  /** The descriptors on which an operation waits, each keeping the event loop alive. */
  referenced: number;
} {
  const [handles, armed] = engine.stats();
  let referenced = 0;
  for (const d of descriptors) if (d?.waiting() === true) referenced++;
  return { handles, armed, referenced };
}
