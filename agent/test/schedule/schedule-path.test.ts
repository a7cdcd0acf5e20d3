import { describe, expect, it } from 'vitest';

import { schedulePath } from '../../src/schedule/schedule-path.js';

describe('schedulePath', () => {
  it('keeps the shell’s folders once each, in order', () => {
    expect(schedulePath('/usr/local/bin:/usr/bin::/usr/local/bin:/bin:/usr/bin', ':')).toBe(
      '/usr/local/bin:/usr/bin:/bin',
    );
  });

  it('drops the folders npx and npm exec put in front', () => {
    const npx = [
      '/home/dev/.npm/_npx/0f1e2d/node_modules/.bin',
      '/home/dev/project/node_modules/.bin',
      '/home/dev/node_modules/.bin',
      '/node_modules/.bin',
      '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin',
    ];

    expect(schedulePath([...npx, '/usr/bin', '/opt/docker/bin'].join(':'), ':')).toBe(
      '/usr/bin:/opt/docker/bin',
    );
  });

  it('reads Windows folders with their own delimiter and separator', () => {
    const value =
      'C:\\Users\\dev\\AppData\\Local\\npm-cache\\_npx\\0f1e\\node_modules\\.bin;' +
      'C:\\Program Files\\Docker\\Docker\\resources\\bin;C:\\Windows\\system32';

    expect(schedulePath(value, ';')).toBe(
      'C:\\Program Files\\Docker\\Docker\\resources\\bin;C:\\Windows\\system32',
    );
  });
});
