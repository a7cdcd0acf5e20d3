import { describe, expect, it } from 'vitest';

import { affectsBuilds, salientChange } from '../../src/alerts/labels.js';

describe('affectsBuilds', () => {
  it('counts engine, WSL and Windows changes and .wslconfig keys WSL reads', () => {
    for (const field of [
      'desktopVersion',
      'windowsVersion',
      'wslKernel',
      'wslconfig.wsl2.memory',
    ]) {
      expect(affectsBuilds({ field, from: 'a', to: 'b' })).toBe(true);
    }
  });

  it('ignores the CLI version and .wslconfig keys WSL ignores', () => {
    for (const field of [
      'clientVersion',
      'osName',
      'wslconfig.wsl2.guiapplications',
      'wslconfig.wsl2.#memory',
      'wslconfig.experimental.memory',
    ]) {
      expect(affectsBuilds({ field, from: 'a', to: 'b' })).toBe(false);
    }
  });

  it('counts a field it does not know', () => {
    expect(affectsBuilds({ field: 'somethingNew', from: 'a', to: 'b' })).toBe(true);
  });
});

describe('salientChange', () => {
  it('names a transition after a change that can affect builds', () => {
    const change = salientChange({
      reportId: 'r',
      at: 0,
      changes: [
        { field: 'clientVersion', from: '27.3.1', to: '27.4.0' },
        { field: 'storageDriver', from: 'overlay2', to: 'overlayfs' },
      ],
    });

    expect(change?.field).toBe('storageDriver');
  });
});
