// A wrong argument reads the same whichever side found it: the TypeScript checks (lib/errors.ts) and
// the addon's (native/args.cc) describe the value received word for word, as Node's own errors do; and
// every helper export refuses bad input with Node's codes, not V8's own uncoded errors.
import { accept, close, errnoName, hint, inet_aton, listen, read, recv, send, setErrno, errno, write } from 'bsdsock';
import { native } from '../lib/native';

// The text after "Received " of what `call` threw.
function received(call: () => unknown): string {
  try {
    call();
  } catch (e) {
    const m = /\. Received (.*)$/s.exec((e as Error).message);
    if (m !== null) return m[1];
    throw new Error(`no "Received" in: ${(e as Error).message}`);
  }
  throw new Error('did not throw');
}

const detached = (): Uint8Array => {
  const view = new Uint8Array(8);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
};

const VALUES: [string, unknown, string][] = [
  ['true', true, 'type boolean (true)'],
  ['a bigint', 5n, 'type bigint (5n)'],
  ['a symbol', Symbol('s'), 'type symbol'],
  ['a short string', 'abc', "type string ('abc')"],
  ['a long string', 'x'.repeat(40), `type string ('${'x'.repeat(25)}...')`],
  ['an object', {}, 'an instance of Object'],
  ['an array', [], 'an instance of Array'],
  ['a Uint8Array', new Uint8Array(2), 'an instance of Uint8Array'],
  ['a Map', new Map(), 'an instance of Map'],
  ['a function', () => 1, 'function'],
  ['null', null, 'null'],
  ['undefined', undefined, 'undefined'],
  ['a fraction', 1.5, '1.5'],
  ['NaN', NaN, 'NaN'],
];

test.each(VALUES)('%s: the addon and the TypeScript side say "Received %#" alike', (_what, value, text) => {
  // listen's sockfd is checked by the addon; inet_aton's inp by lib/addresses.ts.
  const native = received(() => listen(value as number, 1));
  const typescript = received(() => inet_aton('1.2.3.4', value as never));
  expect({ native, typescript }).toEqual({ native: text, typescript: text });
});

test('a hostile object (a throwing constructor getter) is described, not rethrown', () => {
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('boom');
      },
    },
  );
  expect(received(() => listen(hostile as never, 1))).toBe('an instance of Object');
  expect(received(() => inet_aton('1.2.3.4', hostile as never))).toBe('an instance of Object');
});

test('helper exports refuse bad input with a coded error and leave errno alone', () => {
  setErrno(7);
  for (const call of [
    () => errnoName(detached() as never),
    () => hint('bind', detached() as never),
    () => hint(Symbol('s') as never, 1),
    () => setErrno('abc' as never),
    () => setErrno(1.5),
  ]) {
    expect(call).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^ERR_(INVALID_ARG_TYPE|OUT_OF_RANGE)$/) }),
    );
  }
  expect(errno).toBe(7);
});

// send, recv, read, write, accept and close hand int32 arguments to the addon through shared slots
// (lib/io.ts) and everything else through their ordinary call: the errors must not tell the two apart.
describe('the calls that take int32 arguments through the slots', () => {
  const buf = Buffer.alloc(4);
  const CASES: [string, (v: unknown) => unknown][] = [
    ['send sockfd', (v) => send(v as number, buf, 1, 0)],
    ['send len', (v) => send(0, buf, v as number, 0)],
    ['send flags', (v) => send(0, buf, 1, v as number)],
    ['recv sockfd', (v) => recv(v as number, buf, 1, 0)],
    ['recv len', (v) => recv(0, buf, v as number, 0)],
    ['recv flags', (v) => recv(0, buf, 1, v as number)],
    ['read fd', (v) => read(v as number, buf, 1)],
    ['read count', (v) => read(0, buf, v as number)],
    ['write fd', (v) => write(v as number, buf, 1)],
    ['write count', (v) => write(0, buf, v as number)],
    ['accept sockfd', (v) => accept(v as number, null, null)],
    ['close fd', (v) => close(v as number)],
  ];

  test.each(CASES)(
    '%s: not a number, a fraction or out of range throws, and valueOf is never called',
    (_what, call) => {
      let called = 0;
      const tricky = {
        valueOf: () => {
          called++;
          return 1;
        },
      };
      for (const [value, code] of [
        ['1', 'ERR_INVALID_ARG_TYPE'],
        [1.5, 'ERR_OUT_OF_RANGE'],
        [2 ** 31, 'ERR_OUT_OF_RANGE'],
        [tricky, 'ERR_INVALID_ARG_TYPE'],
      ] as const) {
        setErrno(0);
        expect(() => call(value)).toThrow(expect.objectContaining({ code }) as Error);
        expect(errno).toBe(0);
      }
      expect(called).toBe(0);
    },
  );

  test('a len past the buffer reads the same through the slots as through the ordinary call', () => {
    for (const [slots, ordinary] of [
      [() => recv(0, buf, 9, 0), () => native.recv(0, buf, 9, 0)],
      [() => send(0, 'abc', 4, 0), () => native.send(0, 'abc', 4, 0)],
      [() => read(0, buf, 9), () => native.read(0, buf, 9)],
      [() => write(0, 'abc', 4), () => native.write(0, 'abc', 4)],
    ]) {
      const message = (call: () => unknown): string => {
        try {
          call();
        } catch (e) {
          return (e as Error).message;
        }
        return 'did not throw';
      };
      expect(message(slots)).toBe(message(ordinary));
      expect(message(slots)).toMatch(/^(recv|send|read|write)\(\): The value of "(len|count)" is out of range/);
    }
  });
});
