// mulberry32: a small, fast, seedable generator. One implementation for everything that must be
// reproducible: random-weight conversions, the calibration sample shuffle, seeded test data.

/** Uniform numbers in [0, 1), the same sequence for the same seed on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
