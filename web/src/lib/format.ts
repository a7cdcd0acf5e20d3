const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

// The browser's locale decides the wording and the date order.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

const relativeUnits: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * dayMs],
  ['month', 30 * dayMs],
  ['week', 7 * dayMs],
  ['day', dayMs],
  ['hour', hourMs],
  ['minute', minuteMs],
];

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Milliseconds since the epoch, or null when the text is not a date. */
export function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const time = Date.parse(iso);

  return Number.isNaN(time) ? null : time;
}

/** The date alone, in the same style: "Nov 2, 2026". */
export function formatDate(iso: string): string {
  const time = parseTime(iso);

  return time === null ? iso : dateFormat.format(time);
}

export function formatDateTime(iso: string): string {
  const time = parseTime(iso);

  return time === null ? iso : dateTimeFormat.format(time);
}

/** "5 minutes ago"; a laptop with a fast clock can report times slightly in the future. */
export function formatRelativeTime(iso: string, now: number): string {
  const time = parseTime(iso);
  if (time === null) return iso;

  const elapsed = time - now;
  for (const [unit, size] of relativeUnits) {
    if (Math.abs(elapsed) >= size) return relativeFormat.format(Math.round(elapsed / size), unit);
  }

  return 'just now';
}

/** Binary units, as operating systems show memory: 16,747,913,216 bytes is "15.6 GiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }

  return `${numberFormat.format(value)} ${byteUnits[unit]}`;
}

/**
 * "850 ms", "42.5 s", "2 min 5 s", "1 h 5 min": build and benchmark times as people say them.
 * `resolution`, in ms, is the smallest difference the text must show (a chart axis passes its
 * tick step, so 0.5 ms steps read "2.5 ms" and not "3 ms" twice). Values are rounded to what is
 * shown before the unit is chosen, so 119,700 ms is "2 min", never "1 min 60 s".
 */
export function formatDuration(ms: number, resolution?: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 0) return `−${formatDuration(-ms, resolution)}`;

  // An axis in minutes starts at "0 min", not "0 ms".
  if (ms === 0 && resolution !== undefined && resolution >= 1000) {
    return resolution >= 60_000 ? '0 min' : '0 s';
  }

  const msDigits = fractionDigits(resolution ?? (ms < 1 ? 0.01 : ms < 10 ? 0.1 : 1));
  const inMs = roundTo(ms, msDigits);
  if (inMs < 1000) return `${formatNumber(inMs, msDigits)} ms`;

  const sDigits = fractionDigits((resolution ?? 100) / 1000);
  const inS = roundTo(ms / 1000, sDigits);
  if (inS < 60) return `${formatNumber(inS, sDigits)} s`;

  // Whole seconds from here on: "1 min 5.5 s" helps nobody.
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return joinUnits(Math.floor(seconds / 60), 'min', seconds % 60, 's');

  const minutes = Math.round(seconds / 60);
  return joinUnits(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
}

const fixedFormats = new Map<number, Intl.NumberFormat>();

function formatNumber(value: number, digits: number): string {
  let format = fixedFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { maximumFractionDigits: digits });
    fixedFormats.set(digits, format);
  }
  return format.format(value);
}

/** Decimals needed to show a step of `unit` (0.5 → 1, 0.25 → 2, 2 → 0), at most 3. */
function fractionDigits(unit: number): number {
  if (!(unit > 0) || unit >= 1) return 0;
  // The tolerance keeps 0.1, stored as 0.1000000000000000055…, at one decimal.
  for (let digits = 1; digits < 3; digits += 1) {
    const scaled = unit * 10 ** digits;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * 10 ** digits) return digits;
  }
  return 3;
}

function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function joinUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}

/** "+39%" / "−12%" for an effect given as after / before - 1. */
export function formatEffect(effect: number): string {
  const value = Math.round(effect * 100);
  return `${value >= 0 ? '+' : '−'}${Math.abs(value)}%`;
}
