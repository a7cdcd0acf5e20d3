import { describe, expect, it } from 'vitest';

import { deriveEnvironment } from '../src/ingest/environment.js';
import { cleanText } from '../src/ingest/clean-text.js';
import { sampleReport } from './helpers.js';

describe('cleanText', () => {
  it('replaces bidi overrides and control characters, and keeps every other character', () => {
    expect(cleanText('devhost-\u202Egnp.exe')).toBe('devhost-\uFFFDgnp.exe');
    expect(cleanText('a\u0000b\u001b[31mc\u0085d')).toBe('a\uFFFDb\uFFFD[31mc\uFFFDd');
    expect(cleanText('Ubuntu-22.04 · 日本語 <b>')).toBe('Ubuntu-22.04 · 日本語 <b>');
  });

  it('cleans the facts derived from a report, not the raw report', () => {
    const report = sampleReport();
    report.host.hostname = 'devhost-\u202Egnp.exe';

    const env = deriveEnvironment(
      report,
      'machine-1',
      { collectedAt: Date.now(), receivedAt: Date.now() },
      null,
    );

    expect(env.hostname).toBe('devhost-\uFFFDgnp.exe');
    expect(report.host.hostname).toBe('devhost-\u202Egnp.exe');
  });
});
