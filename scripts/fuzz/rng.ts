// The seeded PRNG every choice of a run comes from.

// sfc32: small, fast and good enough; seeded from one 32-bit number.
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

let generator = sfc32(0);

/** Starts the sequence of `seed` over. */
export function seedRng(seed: number): void {
  generator = sfc32(seed);
}

/** A number in [0, 1). */
export function rand(): number {
  return generator();
}

/** An integer in [0, n). */
export function int(n: number): number {
  return Math.floor(rand() * n);
}

/** One element of a non-empty list. */
export function pick<T>(list: readonly T[]): T {
  return list[int(list.length)];
}

/** True with probability p. */
export function chance(p: number): boolean {
  return rand() < p;
}
