// Fault injection: chosen calls fail with a chosen errno, or move fewer bytes than asked, so code that
// must cope with interrupted calls and partial I/O can be tested without waiting for a kernel to do it.
//
// Every wrapper of both APIs reaches the addon by property lookup on the one `native` object
// (`native.recv(...)`). A rule replaces that property with a function that decides, call by call,
// whether to fault; with no rules the addon's own functions are back in place, so faults cost nothing
// when off and the wrappers need no branch of their own.
//
// Which calls a rule may name, and what it may do to each, come from the table of calls (lib/calls.ts).
import { invalidArgType, invalidArgValue, outOfRange } from './errors';
import { CALLS, type CallName } from './calls';
import { native, type NativeBinding } from './native';

/**
 * The calls a rule can name: every system call of the table but close.
 * @useDeclaredType
 */
export type FaultCall = {
  [N in CallName]: (typeof CALLS)[N]['fault'] extends null ? never : N;
}[CallName];

/** One rule of `faults()`. */
export interface FaultRule {
  /** The call it applies to, in both APIs: 'recv' faults `recv` of bsdsock and of bsdsock/promises. */
  call: FaultCall;
  /** Fail with this errno ('EINTR', 'EAGAIN', 'ECONNRESET', or its number) without making the call. */
  errno?: string | number;
  /** Make the call with len cut to this many bytes (send, sendto, recv, recvfrom on stream sockets). */
  short?: number;
  /** Fault the every-th call the rule applies to (1: each one). The default when no probability is given. */
  every?: number;
  /** Fault each call the rule applies to with this probability (0 to 1), drawn from a generator seeded with `seed`. */
  probability?: number;
  /** The seed of the probability's generator (an integer from 0 to 2^32-1; 0 by default): same seed, same faults. */
  seed?: number;
  /** Only calls on this descriptor. */
  fd?: number;
  /** At most this many faults; after that the rule lets every call through. */
  times?: number;
}

const FAULT_CALLS = (Object.keys(CALLS) as CallName[]).filter((name): name is FaultCall => CALLS[name].fault !== null);

// The calls whose count a rule may cut.
const SHORT_CALLS = FAULT_CALLS.filter((name) => CALLS[name].fault.short);

// A rule's `fd` applies to calls whose first parameter is a descriptor.
function takesFd(call: FaultCall): boolean {
  const first = CALLS[call].params[0];
  return first === 'sockfd' || first === 'fd';
}

const RULE_KEYS = new Set(['call', 'errno', 'short', 'every', 'probability', 'seed', 'fd', 'times']);
const INT_MAX = 2 ** 31 - 1;

type NativeFunction = (...args: unknown[]) => unknown;

/** A checked rule with its counters. */
interface Active {
  readonly call: FaultCall;
  readonly errno: number;
  readonly short: number;
  readonly every: number;
  readonly probability: number;
  readonly fd: number;
  readonly times: number;
  readonly random: (() => number) | null;
  readonly text: string;
  seen: number;
  injected: number;
}

let active: Active[] = [];
// What the last call through a wrapper had injected, and which call that was.
let lastInjected: string | null = null;
let lastCall = '';

// The addon's own functions, kept on the binding itself: a second copy of this module (a jest
// registry, a second require of lib/ from another path) shares the binding and must restore the
// same functions, not the first copy's wrappers.
const ORIGINALS = Symbol.for('bsdsock.faults.originals');

// send, recv, read, write and accept also reach the addon through their xxxSlots functions (lib/io.ts:
// integer arguments in shared memory). Under a rule for one of them, its slots function is replaced
// by a call of the faulted function with the arguments the slots hold, so that a rule sees every call
// whichever way it came.
type SlotsArgs = (slots: Int32Array, buf: unknown) => unknown[];
const bufferArgs: SlotsArgs = (s, buf) => [s[0], buf, s[1], s[2]];
const countArgs: SlotsArgs = (s, buf) => [s[0], buf, s[1]];
const SLOT_CALLS: readonly (readonly [FaultCall, string, SlotsArgs])[] = [
  ['send', 'sendSlots', bufferArgs],
  ['recv', 'recvSlots', bufferArgs],
  ['read', 'readSlots', countArgs],
  ['write', 'writeSlots', countArgs],
  ['accept', 'acceptSlots', (s) => [s[0]]],
];

function throughSlots(b: NativeBinding, call: NativeFunction, args: SlotsArgs): NativeFunction {
  return (buf?: unknown) => {
    const slots = b.slots;
    slots[3] = call(...args(slots, buf)) as number;
  };
}

function originals(b: NativeBinding): Map<string, NativeFunction> {
  const holder = b as unknown as { [ORIGINALS]?: Map<string, NativeFunction> };
  let map = holder[ORIGINALS];
  if (map === undefined) {
    map = new Map();
    for (const name of [...FAULT_CALLS, ...SLOT_CALLS.map(([, viaSlots]) => viaSlots)]) {
      const fn = (b as unknown as Record<string, unknown>)[name];
      if (typeof fn === 'function') map.set(name, fn as NativeFunction);
    }
    Object.defineProperty(b, ORIGINALS, { value: map, enumerable: false });
  }
  return map;
}

// A small seeded generator (xorshift32 over a hashed seed): the same seed gives the same draws on
// every platform and Node version, which Math.random cannot promise.
function generator(seed: number): () => number {
  let x = Math.imul(seed ^ (seed >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = (x ^ (x >>> 16)) >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function errnoValue(b: NativeBinding, where: string, param: string, value: unknown): number {
  if (typeof value === 'string') {
    const n = b.constants[value];
    if (typeof n === 'number' && b.errnoNames[n] !== undefined) return n;
    throw invalidArgValue(where, param, 'must be an errno name such as EINTR', value);
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value > 0 && b.errnoNames[value] !== undefined) return value;
    throw invalidArgValue(where, param, 'must be an errno value this platform defines', value);
  }
  throw invalidArgType(where, param, 'an errno name or number', value);
}

function integer(where: string, param: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(where, param, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRange(where, param, `an integer >= ${min} and <= ${max}`, value);
  }
  return value;
}

function checkRule(b: NativeBinding, where: string, param: string, rule: unknown): Active {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    throw invalidArgType(where, param, 'an object', rule);
  }
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!RULE_KEYS.has(key)) throw invalidArgValue(where, `${param}.${key}`, 'is not a rule field', r[key]);
  }
  const call = r.call;
  if (typeof call !== 'string') throw invalidArgType(where, `${param}.call`, 'of type string', call);
  if (
    !FAULT_CALLS.includes(call as FaultCall) ||
    typeof (b as unknown as Record<string, unknown>)[call] !== 'function'
  ) {
    throw invalidArgValue(where, `${param}.call`, 'must name a system call of bsdsock', call);
  }
  const info = CALLS[call as FaultCall].fault;
  if ((r.errno === undefined) === (r.short === undefined)) {
    throw invalidArgValue(where, param, 'must have exactly one of errno and short', rule);
  }
  const errno = r.errno === undefined ? 0 : errnoValue(b, where, `${param}.errno`, r.errno);
  let short = 0;
  if (r.short !== undefined) {
    if (!info.short) {
      throw invalidArgValue(where, `${param}.short`, `applies only to ${SHORT_CALLS.join(', ')}`, r.short);
    }
    short = integer(where, `${param}.short`, r.short, 1, INT_MAX);
  }
  if (r.every !== undefined && r.probability !== undefined) {
    throw invalidArgValue(where, param, 'must not have both every and probability', rule);
  }
  const every = r.every === undefined ? 1 : integer(where, `${param}.every`, r.every, 1, Number.MAX_SAFE_INTEGER);
  let probability = -1;
  if (r.probability !== undefined) {
    if (typeof r.probability !== 'number') {
      throw invalidArgType(where, `${param}.probability`, 'of type number', r.probability);
    }
    if (!(r.probability >= 0 && r.probability <= 1)) {
      throw outOfRange(where, `${param}.probability`, 'a number from 0 to 1', r.probability);
    }
    probability = r.probability;
  }
  if (r.seed !== undefined && probability < 0) {
    throw invalidArgValue(where, `${param}.seed`, 'applies only with probability', r.seed);
  }
  const seed = r.seed === undefined ? 0 : integer(where, `${param}.seed`, r.seed, 0, 2 ** 32 - 1);
  let fd = -1;
  if (r.fd !== undefined) {
    if (!takesFd(call as FaultCall)) throw invalidArgValue(where, `${param}.fd`, `does not apply to ${call}()`, r.fd);
    fd = integer(where, `${param}.fd`, r.fd, 0, INT_MAX);
  }
  const times =
    r.times === undefined ? Infinity : integer(where, `${param}.times`, r.times, 1, Number.MAX_SAFE_INTEGER);
  return {
    call: call as FaultCall,
    errno,
    short,
    every,
    probability,
    fd,
    times,
    random: probability >= 0 ? generator(seed) : null,
    text: errno !== 0 ? `injected ${b.errnoNames[errno]}` : '',
    seen: 0,
    injected: 0,
  };
}

// `recv:EINTR:every=3,send:short=1:p=0.5:seed=42` as the rule objects it stands for.
function parseRules(spec: string, param: string): Record<string, unknown>[] {
  const rules: Record<string, unknown>[] = [];
  for (const item of spec.split(',')) {
    if (item.trim() === '') continue;
    const [call, ...fields] = item.split(':').map((s) => s.trim());
    const rule: Record<string, unknown> = { call };
    for (const field of fields) {
      const eq = field.indexOf('=');
      if (eq < 0) {
        if (!/^E[A-Z0-9]+$/.test(field)) {
          throw invalidArgValue('faults', param, `has "${field}" where an errno name or key=value belongs`, spec);
        }
        rule.errno = field;
        continue;
      }
      const key = field.slice(0, eq);
      const text = field.slice(eq + 1);
      const name = key === 'p' ? 'probability' : key;
      if (!RULE_KEYS.has(name) || name === 'call') {
        throw invalidArgValue('faults', param, `has an unknown key "${key}"`, spec);
      }
      const number = text.trim() === '' ? NaN : Number(text);
      // errno=EINTR or errno=4; every other value is a number, checked as the rule's field.
      if (name !== 'errno' && Number.isNaN(number)) {
        throw invalidArgValue('faults', param, `has "${field}", whose value is not a number`, spec);
      }
      rule[name] = name === 'errno' && Number.isNaN(number) ? text : number;
    }
    rules.push(rule);
  }
  return rules;
}

function isStreamSocket(b: NativeBinding, original: Map<string, NativeFunction>, fd: unknown): boolean {
  if (typeof fd !== 'number') return false;
  const type = new Int32Array(1);
  const len = new Uint32Array([4]);
  const getsockopt = original.get('getsockopt')!;
  const r = getsockopt(fd, b.constants.SOL_SOCKET, b.constants.SO_TYPE, type, len);
  return r === 0 && type[0] === b.constants.SOCK_STREAM;
}

function wrapper(
  b: NativeBinding,
  call: FaultCall,
  original: NativeFunction,
  all: Map<string, NativeFunction>,
  rules: Active[],
): NativeFunction {
  const info = CALLS[call].fault;
  return (...args: unknown[]): unknown => {
    // The promises API's argument check (a trailing `true`) makes no call: it is never faulted.
    if (info.validateAt >= 0 && args[info.validateAt] === true) return original(...args);
    lastInjected = null;
    lastCall = call;
    const len = args[2];
    let stream: boolean | undefined;
    let chosen: Active | null = null;
    // Every rule sees every call it applies to, so each rule's sequence is the same whatever the
    // other rules do; the first one (in the order given) that fires wins.
    for (const rule of rules) {
      if (rule.fd >= 0 && args[0] !== rule.fd) continue;
      if (rule.short > 0) {
        // Cutting len only makes sense where the count is free to be short: a datagram would be cut.
        if (typeof len !== 'number' || !(len > rule.short)) continue;
        stream ??= isStreamSocket(b, all, args[0]);
        if (!stream) continue;
      }
      rule.seen++;
      if (rule.injected >= rule.times) continue;
      const fire = rule.random !== null ? rule.random() < rule.probability : rule.seen % rule.every === 0;
      if (fire && chosen === null) chosen = rule;
    }
    if (chosen === null) return original(...args);
    if (info.validateAt >= 0) {
      // A programming error still throws, as it would without the fault (a cut len could hide one).
      const check = args.slice(0, info.validateAt);
      // accept(sockfd) is the binding's short form of accept(sockfd, NULL, NULL): what it leaves out is null.
      for (let k = args.length; k < info.validateAt; k++) check[k] = null;
      check[info.validateAt] = true;
      original(...check);
    }
    if (chosen.short > 0) {
      const cut = args.slice();
      cut[2] = chosen.short;
      const r = original(...cut);
      if (typeof r === 'number' && r >= 0) {
        chosen.injected++;
        lastInjected = `injected short count (len ${len as number} cut to ${chosen.short})`;
      }
      return r;
    }
    if (call === 'connect' && chosen.errno === b.constants.EINTR) {
      // An interrupted connect goes on in the kernel (a retry says EALREADY or EISCONN), so it is made.
      const r = original(...args);
      if (typeof r === 'number' && r < 0 && r !== -b.constants.EINPROGRESS!) return r;
    }
    chosen.injected++;
    lastInjected = chosen.text;
    return -chosen.errno;
  };
}

function install(b: NativeBinding, rules: Active[]): void {
  const original = originals(b);
  const target = b as unknown as Record<string, unknown>;
  for (const [name, fn] of original) {
    const mine = rules.filter((rule) => rule.call === name);
    target[name] = mine.length === 0 ? fn : wrapper(b, name as FaultCall, fn, original, mine);
  }
  for (const [call, viaSlots, args] of SLOT_CALLS) {
    if (rules.some((rule) => rule.call === call)) {
      target[viaSlots] = throughSlots(b, target[call] as NativeFunction, args);
    }
  }
  active = rules;
  lastInjected = null;
}

/**
 * Injects faults into the system calls of both APIs, for tests and lessons: chosen calls fail with a
 * chosen errno without being made (EINTR, EAGAIN, ECONNRESET, ...), or transfer fewer bytes than
 * asked (a send writes at most `short` bytes, a recv returns at most `short`), on every Nth call or
 * with a seeded probability, so that code which must cope with interrupted calls and partial I/O can
 * be tested deterministically. Each call replaces the rules in force; `faults(null)` or `faults([])`
 * puts the addon's own functions back, so with no rules there is no cost at all.
 *
 * Every system call but close (which must release its descriptor whatever it reports) can be
 * failed; short counts apply to send, sendto, recv and recvfrom. A rule counts the calls it applies to: its `call`, on its `fd` if given, and for `short` only
 * calls on a stream socket whose len is larger than `short` (a datagram is never cut). Each rule
 * counts on its own; when several fire on one call, the first in the list wins. The synchronous API
 * returns -1 and sets errno for an injected error, as the C call would; the promises API handles it
 * as its own code handles the real error (EINTR retried, EAGAIN waited out, short sends continued,
 * others rejected). Arguments are still checked first: a programming error throws as usual. An
 * injected EINTR on connect makes the call first (the kernel goes on connecting after a real one).
 * A rule that fails every call with EINTR makes a retry loop (and the promises API) retry for ever,
 * and one that fails every call with EAGAIN makes the promises API wait for ever: use every, times
 * or a probability below 1.
 *
 * The environment sets rules at load: `BSDSOCK_FAULTS`, rules separated by `,`, fields by `:`, the
 * call first, then an errno name (or `errno=N`) or `short=N`, then any of `every=N`, `p=X` (or
 * `probability=X`), `seed=N`, `fd=N`, `times=N`. For example
 * `BSDSOCK_FAULTS="recv:EINTR:every=3,send:short=1:p=0.5:seed=42"` is
 * `faults([{ call: 'recv', errno: 'EINTR', every: 3 }, { call: 'send', short: 1, probability: 0.5, seed: 42 }])`.
 * A malformed value makes loading bsdsock throw. Worker threads read it too when they load bsdsock.
 * @param rules - the rules ({@link FaultRule}), the same rules as a BSDSOCK_FAULTS string, or null.
 * @throws TypeError (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE) or RangeError (ERR_OUT_OF_RANGE)
 *   for a malformed rule; the rules in force are then left as they were.
 */
export function faults(rules: readonly FaultRule[] | string | null): void {
  const b = native;
  let list: readonly unknown[];
  if (rules === null) list = [];
  else if (typeof rules === 'string') list = parseRules(rules, 'rules');
  else if (Array.isArray(rules)) list = rules;
  else throw invalidArgType('faults', 'rules', 'an array of rules, a string or null', rules);
  install(
    b,
    list.map((rule, k) => checkRule(b, 'faults', `rules[${k}]`, rule)),
  );
}

/**
 * How many faults each rule in force has injected so far, in the order the rules were given: a test
 * checks with it that the faults it asked for did happen.
 */
export function faultCounts(): number[] {
  return active.map((rule) => rule.injected);
}

/**
 * What was injected into the last call made through a rule, such as `injected EINTR` or
 * `injected short count (len 1000 cut to 1)`, or null when that call ran untouched; clears it. Every
 * call that has rules resets it. With `call`, a fault recorded for another call is not returned (but
 * still cleared), so the tracer, reading it right after a call it traced, never marks a call that has
 * no rule with a fault left over from an untraced one.
 * @param call - the call just traced ('recv'), or undefined for any.
 * @internal
 */
export function takeInjected(call?: string): string | null {
  const text = call === undefined || call === lastCall ? lastInjected : null;
  lastInjected = null;
  return text;
}

// The environment's rules apply from the moment bsdsock loads: every wrapper module imports this one
// (through the tracer) before its first call can be made.
{
  const spec = process.env.BSDSOCK_FAULTS;
  if (spec !== undefined && spec.trim() !== '') {
    const list = parseRules(spec, 'BSDSOCK_FAULTS');
    install(
      native,
      list.map((rule, k) => checkRule(native, 'faults', `BSDSOCK_FAULTS[${k}]`, rule)),
    );
  }
}
