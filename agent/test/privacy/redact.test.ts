import type { Report } from '@devfleet/wire';
import { describe, expect, it } from 'vitest';

import { hashUser, redactReport, redactText, type Redaction } from '../../src/privacy/redact.js';
import { wslReport } from '../doctor/wsl-report.js';

const both: Redaction = { user: true, paths: true, salt: 'team-salt', homes: ['/home/devuser2'] };
const userOnly: Redaction = { ...both, paths: false };
const pathsOnly: Redaction = { ...both, user: false };

function withPaths(): Report {
  const report = wslReport();
  report.problems = [
    {
      source: 'wsl',
      code: 'FILE_UNREADABLE',
      message:
        'cannot read C:\\\\Users\\\\DevUser2\\\\.wslconfig: EACCES; see /home/devuser2/.config',
    },
  ];
  report.benchmarks = [
    {
      kind: 'mount',
      status: 'ok',
      reason: null,
      startedAt: '2025-05-01T09:00:00.000Z',
      durationMs: 1,
      quick: true,
      repetitions: 1,
      image: null,
      imageDigest: null,
      engineVersion: null,
      desktopVersion: null,
      mountType: null,
      pathKind: 'windows-drive-via-wsl',
      hostPath: '/mnt/c/Users/DevUser2/src/shop',
      results: [],
    },
  ];
  return report;
}

describe('redactReport', () => {
  it('replaces the user name with a stable salted hash', () => {
    const first = redactReport(wslReport(), userOnly);
    const again = redactReport(wslReport(), userOnly);
    const otherSalt = redactReport(wslReport(), { ...userOnly, salt: 'another' });

    expect(first.host.user).toMatch(/^user-[0-9a-f]{8}$/);
    expect(again.host.user).toBe(first.host.user);
    expect(otherSalt.host.user).not.toBe(first.host.user);
  });

  it('replaces the user name where it stands as a word in the host name', () => {
    const mac = wslReport();
    mac.host.hostname = 'DevUser2s-MacBook-Pro';
    const hash = hashUser('devuser2', 'team-salt');

    expect(redactReport(wslReport(), userOnly).host.hostname).toBe(`${hash}-LAPTOP`);
    expect(redactReport(mac, userOnly).host.hostname).toBe(`${hash}-MacBook-Pro`);
    expect(redactReport(wslReport(), pathsOnly).host.hostname).toBe('DEVUSER2-LAPTOP');
  });

  it('replaces home prefixes with ~ in every string field', () => {
    const redacted = redactReport(withPaths(), pathsOnly);

    expect(redacted.benchmarks?.[0]?.hostPath).toBe('~/src/shop');
    expect(redacted.desktopSettings?.filesharingDirectories).toEqual(['/Users', '~\\src']);
    expect(redacted.wsl?.config[1]?.value).toBe('~\\wsl\\bzImage');
    expect(redacted.problems[0]?.message).toBe(
      'cannot read ~\\\\.wslconfig: EACCES; see ~/.config',
    );
    expect(redacted.host.user).toBe('devuser2');
  });

  it('hashes the user in home paths when only the user is redacted', () => {
    const redacted = redactReport(withPaths(), userOnly);
    const profile = hashUser('DevUser2', 'team-salt');

    expect(redacted.benchmarks?.[0]?.hostPath).toBe(`/mnt/c/Users/${profile}/src/shop`);
    expect(redacted.wsl?.config[1]?.value).toBe(`C:\\Users\\${profile}\\wsl\\bzImage`);
    // Windows names compare without case: the profile's DevUser2 is the report's devuser2.
    expect(redacted.host.user).toBe(profile);
  });

  it('leaves no user name or home in the report when both are asked', () => {
    const text = JSON.stringify(redactReport(withPaths(), both));

    expect(text).not.toMatch(/devuser2/i);
    expect(text).not.toMatch(/\/home\/|Users\\\\[^\\]/);
  });

  it('returns the same report when nothing is asked, and never changes its input', () => {
    const report = withPaths();
    const copy = structuredClone(report);

    expect(redactReport(report, { ...both, user: false, paths: false })).toBe(report);
    redactReport(report, both);
    expect(report).toEqual(copy);
  });
});

describe('redactText', () => {
  it.each([
    ['/home/devuser/src', '~/src'],
    ['/Users/devuser', '~'],
    ['/root/.docker/config.json', '~/.docker/config.json'],
    ['D:/Users/devuser/x', '~/x'],
    ['\\\\wsl$\\Ubuntu\\home\\devuser\\src', '~\\src'],
    ['\\\\wsl.localhost\\Ubuntu\\home\\devuser', '~'],
    ['PATH=/home/devuser/bin:/usr/bin', 'PATH=~/bin:/usr/bin'],
    ['/srv/home/devuser', '/srv/home/devuser'],
    ['/Users/Shared/cache', '/Users/Shared/cache'],
    ['C:\\Users\\Public\\Documents', 'C:\\Users\\Public\\Documents'],
  ])('turns %s into %s', (input, output) => {
    expect(redactText(input, { ...pathsOnly, homes: [] })).toBe(output);
  });

  it('replaces this machine’s own home only as a whole path component', () => {
    const redaction = { ...pathsOnly, homes: ['/var/lib/ci'] };

    expect(redactText('/var/lib/ci/work', redaction)).toBe('~/work');
    expect(redactText('/var/lib/cider', redaction)).toBe('/var/lib/cider');
  });
});
