import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../../tests/fixtures/', import.meta.url);

/** A fixture's sample, without the `source/kind/platform/notes` header above the `---` line. */
export function loadFixture(name: string): string {
  const text = readFileSync(new URL(name, FIXTURES), 'utf8');
  const marker = text.indexOf('\n---\n');
  return marker < 0 ? text : text.slice(marker + 5);
}

/** The same text as wsl.exe writes it: UTF-16LE with CRLF, with or without a BOM. */
export function toUtf16(text: string, bom: boolean): Buffer {
  const body = Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}
