import { describe, expect, it } from 'vitest';

import { formatSections } from '../src/cli/format-table.js';

describe('formatSections', () => {
  it('aligns values in one column across all sections', () => {
    const text = formatSections([
      { title: 'Host', rows: [['CPUs', '8']] },
      { title: 'Docker', rows: [['Engine memory', '7.7 GiB']] },
    ]);

    expect(text).toBe('Host\n  CPUs           8\n\nDocker\n  Engine memory  7.7 GiB');
  });
});
