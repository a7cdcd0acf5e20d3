import { describe, expect, it } from 'vitest';

import { parseBuildxHistory } from '../../src/parsers/buildx-history.js';
import { parseDesktopCliVersion } from '../../src/parsers/desktop-version.js';
import { parsePluginVersions } from '../../src/parsers/plugin-versions.js';
import { loadFixture } from './load-fixture.js';

describe('parsePluginVersions', () => {
  it('reads Compose v2 rc and v1 with its build, and warns about -v', () => {
    const { value, warnings } = parsePluginVersions(
      loadFixture('55-compose-version-v2-rc-and-v1-disable-v2.txt'),
    );

    expect(value).toEqual([
      { name: 'compose', version: 'v2.0.0-rc.3', build: null },
      { name: 'compose', version: '1.29.2', build: '5becea4c' },
    ]);
    expect(warnings.join()).toMatch(/-v/);
  });

  it('reads compose and the docker CLI version lines', () => {
    const { value } = parsePluginVersions(
      loadFixture('57-compose-version-docker-version-elided-dd-linux.txt'),
    );

    expect(value).toEqual([
      { name: 'compose', version: 'v2.39.4', build: null },
      { name: 'docker', version: '28.4.0', build: 'd8eb465' },
    ]);
  });

  it('reads a distro buildx build with its commit', () => {
    const { value } = parsePluginVersions(
      loadFixture('37-buildx-version-and-inspect-distro-build.txt'),
    );
    expect(value).toEqual([
      {
        name: 'buildx',
        version: 'v0.9.1-docker',
        build: 'ed00243a0ce2a0aee75311b06e32d33b44729689',
      },
    ]);
  });
});

describe('parseDesktopCliVersion', () => {
  it('reads DockerCli.exe version of Desktop 2.2.0.5 (43884) stable', () => {
    const { value } = parseDesktopCliVersion(
      loadFixture('60-dockercli-version-dd-2.2.0.5-windows.txt'),
    );
    expect(value).toEqual({
      version: '2.2.0.5',
      build: '43884',
      channel: 'stable',
      osName: 'Windows 10 Enterprise',
      windowsBuild: '17763',
    });
  });
});

describe('parseBuildxHistory', () => {
  it('reads the table after BuildKit bootstrap lines: one errored build of 3.6 s', () => {
    const { value } = parseBuildxHistory(
      loadFixture('34-buildx-history-ls-bootstrap-and-error.txt'),
    );

    expect(value).toHaveLength(1);
    expect(value[0]).toMatchObject({
      ref: '1i4j7lqd7egb2s27xkqlyx83k',
      name: 'buildx',
      status: 'Error',
      durationMs: 3600,
    });
  });

  it('reads the tab-separated inspect of a failed build: 4.1 s, 8 of 10 steps, the first error', () => {
    const { value } = parseBuildxHistory(
      loadFixture('35-buildx-history-inspect-failed-build-tabs.txt'),
    );

    expect(value[0]).toMatchObject({
      ref: 'm38a1hxgttgm2qcyrjs14yf3j',
      createdAt: '2025-01-17 04:48:42',
      durationMs: 4100,
      completedSteps: 8,
      totalSteps: 10,
      cachedSteps: 0,
      status: 'Error',
    });
    expect(value[0]?.error).toMatch(/^Unknown process "\/bin\/sh -c apk add foo"/);
  });

  it('computes the duration of ls JSON lines and reads the inspect JSON nanoseconds', () => {
    const text = [
      '{"ref":"a1","name":"app","status":"Completed","created_at":"2025-03-01T10:00:00Z","completed_at":"2025-03-01T10:01:02.5Z","total_steps":12,"completed_steps":12,"cached_steps":9}',
      '{"Ref":"b2","Name":"api","Status":"Error","CreatedAt":"2025-03-01T11:00:00Z","Duration":4100000000,"NumTotalSteps":10,"NumCompletedSteps":8,"NumCachedSteps":0}',
    ].join('\n');
    const { value } = parseBuildxHistory(text);

    expect(value.map((build) => [build.ref, build.durationMs, build.cachedSteps])).toEqual([
      ['a1', 62500, 9],
      ['b2', 4100, 0],
    ]);
  });
});
