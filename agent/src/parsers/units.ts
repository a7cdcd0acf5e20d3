// Binary units as Docker's go-units prints them in `docker info` ("15.5GiB"), plus the decimal
// forms it accepts, case-insensitively.
const DOCKER_UNITS: Record<string, number> = {
  b: 1,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
};

/** "15.5GiB" → bytes, rounded: Docker prints four significant digits, so this is approximate. */
export function parseDockerSize(text: string): number | null {
  const match = /^(\d{1,15}(?:\.\d{1,15})?)\s?([KMGTP]?i?B)$/i.exec(text.trim());
  if (!match) return null;

  const factor = DOCKER_UNITS[(match[2] ?? '').toLowerCase()];
  if (factor === undefined) return null;
  return Math.round(Number(match[1]) * factor);
}

export interface WslSize {
  bytes: number | null;
  /** Why WSL would reject or misread the value, when it would. */
  problem: string | null;
}

const WSL_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  K: 2 ** 10,
  KB: 2 ** 10,
  M: 2 ** 20,
  MB: 2 ** 20,
  G: 2 ** 30,
  GB: 2 ** 30,
  T: 2 ** 40,
  TB: 2 ** 40,
};

/**
 * A .wslconfig size as WSL reads it (ParseMemorySize in microsoft/WSL): a whole number, then B,
 * K(B), M(B), G(B) or T(B) in binary multiples. WSL compares the suffix case-sensitively and
 * rejects fractions; we still convert those forms and say why WSL may not.
 */
export function parseWslSize(text: string): WslSize {
  const match = /^(\d{1,16}(?:\.\d{1,6})?)\s*([A-Za-z]{0,3})$/.exec(text.trim());
  if (!match) return { bytes: null, problem: `"${text}" is not a size WSL understands` };

  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  const factor = WSL_UNITS[suffix] ?? WSL_UNITS[suffix.toUpperCase()];
  if (factor === undefined) return { bytes: null, problem: `unknown size unit "${suffix}"` };

  const bytes = Math.round(number * factor);
  if (!Number.isSafeInteger(bytes)) return { bytes: null, problem: `"${text}" is too large` };
  if (match[1]?.includes('.')) {
    return { bytes, problem: `WSL reads only whole numbers; "${text}" may be rejected` };
  }
  if (WSL_UNITS[suffix] === undefined) {
    return { bytes, problem: `WSL expects an upper-case unit; "${text}" may be rejected` };
  }
  return { bytes, problem: null };
}

const GO_DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration as buildx prints it ("3.6s", "1m2.5s", "120ms") → milliseconds. */
export function parseGoDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 64) return null;

  const part = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * (GO_DURATION_UNITS[match[2] ?? ''] ?? 0);
    consumed = part.lastIndex;
  }
  if (consumed !== trimmed.length) return null;
  return Math.round(total * 1000) / 1000;
}
