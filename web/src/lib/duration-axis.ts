const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

// Steps a person counts in: 1-2-5 below a second, then whole seconds, minutes and hours. Chart.js
// picks steps in powers of ten, which on a time axis give 50 s, 1 min 40 s, 2 min 30 s.
const humanSteps = [
  0.001,
  0.002,
  0.005,
  0.01,
  0.02,
  0.05,
  0.1,
  0.2,
  0.5,
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  second,
  2 * second,
  5 * second,
  10 * second,
  15 * second,
  30 * second,
  minute,
  2 * minute,
  5 * minute,
  10 * minute,
  15 * minute,
  30 * minute,
  hour,
  2 * hour,
  3 * hour,
  6 * hour,
  12 * hour,
  day,
];

export interface DurationTicks {
  /** The axis's ends: the ticks just outside the data. */
  min: number;
  max: number;
  step: number;
  values: number[];
}

/** Ticks for a duration axis (ms) covering `min`–`max` in a human step, at most `maxTicks`. */
export function durationTicks(min: number, max: number, maxTicks: number): DurationTicks {
  const low = Math.min(min, max);
  const high = Math.max(min, max, low + Number.EPSILON);
  const intervals = Math.max(1, Math.floor(maxTicks) - 1);
  const count = (step: number) => Math.ceil(high / step - 1e-9) - Math.floor(low / step + 1e-9);

  const step =
    humanSteps.find((s) => count(s) <= intervals) ??
    Math.ceil((high - low) / intervals / day) * day;
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const values: number[] = [];
  for (let i = first; i <= last; i += 1) values.push(i * step);

  return { min: first * step, max: last * step, step, values };
}
