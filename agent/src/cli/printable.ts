/**
 * Text from a file or a command, made safe to print: a control character becomes a visible
 * escape (`\x1b`, `\n`, `\u202e`), so a pasted sample cannot move the cursor, recolour, retitle
 * or hide lines of the terminal that shows it. Each call is meant for one output line.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += isUnsafe(code) ? escape(char, code) : char;
  }
  return out;
}

// C0 controls but tab, DEL, C1 controls (CSI's 8-bit form among them), and the bidi marks and
// overrides that reorder what a terminal shows (CVE-2021-42574, "Trojan Source").
function isUnsafe(code: number): boolean {
  if (code < 0x20) return code !== 0x09;
  if (code >= 0x7f && code <= 0x9f) return true;
  return (
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

function escape(char: string, code: number): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}
