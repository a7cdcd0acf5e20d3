import type { Sample } from '../../src/detect/window.js';

const hour = 3_600_000;

/** Seeded uniform numbers in [0, 1) (mulberry32), so every test sees the same "noise". */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` samples around `levelMs` with log-normal noise of coefficient of variation `cv`, one
 * every 8 hours from `startAt`.
 */
export function series(
  random: () => number,
  count: number,
  levelMs: number,
  cv: number,
  startAt = 0,
): Sample[] {
  const sigma = Math.sqrt(Math.log(1 + cv ** 2));
  return Array.from({ length: count }, (_, i) => {
    const u = Math.max(random(), 1e-12);
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return { at: startAt + i * 8 * hour, valueMs: levelMs * Math.exp(sigma * normal) };
  });
}

/** Samples continuing after `previous`, 8 hours apart. */
export function following(previous: readonly Sample[], next: readonly Sample[]): Sample[] {
  const lastAt = previous.at(-1)?.at ?? 0;
  return next.map((s, i) => ({ at: lastAt + (i + 1) * 8 * hour, valueMs: s.valueMs }));
}
