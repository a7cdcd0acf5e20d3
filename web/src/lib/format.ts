const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

// The browser's locale decides the wording and the date order.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});
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

/** "850 ms", "42 s", "2 min 5 s": build and benchmark times as people say them. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${numberFormat.format(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** "+39%" / "−12%" for an effect given as after / before - 1. */
export function formatEffect(effect: number): string {
  const value = Math.round(effect * 100);
  return `${value >= 0 ? '+' : '−'}${Math.abs(value)}%`;
}
