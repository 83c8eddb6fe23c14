// How a generated value is shown in a failure's reproducer: short, and saying what it was made as.

const described = new WeakMap<object, string>();

/** Remembers how to show `value` (an object or function); returns it. */
export function note<T>(value: T, text: string): T {
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) described.set(value, text);
  return value;
}

/** `value`, shown for a reproducer line. */
export function describe(v: unknown, depth = 0): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'string':
      return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
    case 'symbol':
      return 'Symbol()';
    case 'boolean':
      return String(v);
    default:
  }
  const text = described.get(v as object);
  if (text !== undefined) return text;
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v) && depth < 2) {
    const items = (v as unknown[]).slice(0, 6).map((x) => describe(x, depth + 1));
    return `[${items.join(', ')}${v.length > 6 ? ', ...' : ''}]`;
  }
  return 'object';
}
