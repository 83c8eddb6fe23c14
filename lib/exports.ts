// TypeScript compiles each `export … from` into a getter on the CommonJS
// exports object, and enough of them (or a few hundred properties added one
// store at a time) leave that object in V8's dictionary mode. Every
// `bsdsock.send(…)` from CommonJS or compiled TypeScript then pays a
// dictionary lookup and a getter call, ≈ 160 instructions (bench/PROFILE.md).

// The bindings that change after load: they stay the getters TypeScript made.
const LIVE = ['errno', 'h_errno'];

/**
 * The same exports as plain properties, defined one by one on a fresh
 * object, which V8 keeps in fast mode; `errno` stays the live getter it must
 * be, and so does `h_errno`. An entry module ends with `module.exports = plainExports(module.exports)`.
 * @internal
 */
export function plainExports(source: Record<string, unknown>): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  Object.defineProperty(target, '__esModule', { value: true });
  for (const name of Object.keys(source)) {
    const descriptor = LIVE.includes(name)
      ? Object.getOwnPropertyDescriptor(source, name)!
      : { value: source[name], enumerable: true };
    Object.defineProperty(target, name, descriptor);
  }
  return target;
}
