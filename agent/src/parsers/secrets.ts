/**
 * Masks what must never leave a laptop: proxy credentials in URLs, tokens, passwords and registry
 * auth entries, wherever they sit (JSON, JSON escaped inside a log line, INI, env lines, Go struct
 * dumps). Every parser runs its input through here first, so nothing it returns can carry them.
 */

export const MASK = '****';

export interface MaskedText {
  text: string;
  masked: number;
}

// Key names whose values are secrets. Matched against the whole key, so `auths` (a map) and
// `credentialHelper` (a program name) stay readable while `auth`, `GITHUB_TOKEN` and
// `LANGSMITH_API_KEY` do not.
const SECRET_KEY =
  /^[A-Za-z0-9_.-]{0,64}?(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|[_-]key|auth|credentials?)$/i;

const SECRET_KEY_SOURCE =
  '[A-Za-z0-9_.-]{0,64}?(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|[_-]key|auth|credentials?)';

// key, optional closing quote (possibly JSON-escaped), separator, then one value form.
const KEY_VALUE = new RegExp(
  `(?<![A-Za-z0-9_.-])(${SECRET_KEY_SOURCE})(\\\\?["']?)(\\s*[:=]\\s*)` +
    `(\\\\"(?:[^"\\\\\\n]|\\\\[^"\\n]){0,4096}\\\\"|"(?:[^"\\\\\\n]|\\\\.){0,4096}"|'[^'\\n]{0,4096}'|[^\\s,;}\\]"']{1,4096})`,
  'gi',
);

const URL_USERINFO = /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s/@"'<>\\]{1,512})@/gi;
const AUTH_HEADER = /\b(Bearer|Basic|Digest)(\s+)([A-Za-z0-9._~+/=-]{8,})/g;
const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,20000}?-----END [A-Z ]{0,40}PRIVATE KEY-----/g;

// Token formats with a recognisable prefix, masked even where no key names them.
const TOKEN_SHAPES = [
  /\bgh[pousr]_[A-Za-z0-9]{20,255}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,255}/g,
  /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{10,255}/g,
  /\bglpat-[A-Za-z0-9_-]{20,255}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,255}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,255}/g,
  /\blsv2_[A-Za-z0-9_]{20,255}/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,4096}\.[A-Za-z0-9_-]{10,4096}/g,
];

const HARMLESS_VALUE = /^(?:\\?["']?)(?:true|false|null|-?\d+(?:\.\d+)?|\*+)?(?:\\?["']?)$/i;

export function maskSecrets(input: string): MaskedText {
  let masked = 0;
  let text = typeof input === 'string' ? input : String(input ?? '');

  text = text.replace(PRIVATE_KEY_BLOCK, () => {
    masked++;
    return `-----BEGIN PRIVATE KEY-----${MASK}-----END PRIVATE KEY-----`;
  });

  text = text.replace(URL_USERINFO, (_match, scheme: string) => {
    masked++;
    return `${scheme}${MASK}@`;
  });

  text = text.replace(
    KEY_VALUE,
    (match, key: string, quote: string, separator: string, value: string) => {
      if (HARMLESS_VALUE.test(value)) return match;
      masked++;
      return `${key}${quote}${separator}${maskQuoted(value)}`;
    },
  );

  text = text.replace(AUTH_HEADER, (match, scheme: string, space: string, token: string) => {
    if (token === MASK) return match;
    masked++;
    return `${scheme}${space}${MASK}`;
  });

  for (const shape of TOKEN_SHAPES) {
    text = text.replace(shape, () => {
      masked++;
      return MASK;
    });
  }

  return { text, masked };
}

function maskQuoted(value: string): string {
  if (value.startsWith('\\"')) return `\\"${MASK}\\"`;
  if (value.startsWith('"')) return `"${MASK}"`;
  if (value.startsWith("'")) return `'${MASK}'`;
  return MASK;
}

/** True when a settings or JSON key names a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * The same masking over parsed JSON: values under secret-looking keys become the mask, and every
 * string is masked as text. Returns a copy; the input is left as it was.
 */
export function maskSecretsInValue(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (typeof value === 'string') return maskSecrets(value).text;
  if (Array.isArray(value)) return value.map((item) => maskSecretsInValue(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;

  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const secret = isSecretKey(key) && typeof item === 'string' && item !== '';
    copy[key] = secret ? MASK : maskSecretsInValue(item, depth + 1);
  }
  return copy;
}
