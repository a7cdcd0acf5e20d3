import { describe, expect, it } from 'vitest';

import { parseAny, splitPaste } from '../../src/parsers/index.js';
import { loadFixture } from './load-fixture.js';

const kinds = (name: string) => splitPaste(loadFixture(name)).map((part) => part.kind);

describe('splitPaste', () => {
  it.each([
    ['01-docker-version-win-dd4.25.2-engine-master.txt', ['unknown', 'docker-version']],
    ['06-docker-version-win-dd4.9.0-unfenced-bold-headers.txt', ['docker-version', 'docker-info']],
    [
      '18-wsl-spanish-status-version-list-wsl1-stopped.txt',
      ['wsl-status', 'wsl-version', 'wsl-list', 'wsl-list'],
    ],
    ['19-wsl-list-verbose-wsl1-legacy-plus-registry.txt', ['unknown', 'wsl-list']],
    [
      '25-wsl-version-utf16-array-capture-extra-lines.txt',
      ['wsl-version', 'wsl-version', 'unknown'],
    ],
    ['34-buildx-history-ls-bootstrap-and-error.txt', ['unknown', 'buildx-history']],
    ['37-buildx-version-and-inspect-distro-build.txt', ['plugin-versions', 'unknown']],
    [
      '52-docker-info-json-old-cli-prints-literal-json-hand-redacted.txt',
      ['plugin-versions', 'unknown', 'docker-info'],
    ],
    ['53-docker-info-json-all-empty-daemon-unreachable.txt', ['docker-info']],
    [
      '57-compose-version-docker-version-elided-dd-linux.txt',
      ['plugin-versions', 'plugin-versions', 'docker-version'],
    ],
    ['63-wsl-version-chinese-fullwidth-colon-cmd.txt', ['plugin-versions', 'wsl-version']],
    [
      '68-docker-version-wsl-distro-old-cli-daemon-down.txt',
      ['docker-version', 'unknown', 'docker-info'],
    ],
    ['74-wsl-status-long-format-but-distro-is-wsl1.txt', ['wsl-status', 'unknown']],
    [
      '77-docker-info-mac-intel-debug-mode-registry-mirrors-then-version.txt',
      ['docker-info', 'docker-version'],
    ],
    [
      '80-docker-version-json-server-null-daemon-down-fixtures.txt',
      ['docker-version', 'docker-version', 'docker-version'],
    ],
    ['88-wsl-version-and-list-japanese-powershell.txt', ['wsl-version', 'wsl-list']],
  ])('finds the outputs in %s', (name, expected) => {
    expect(kinds(name)).toEqual(expected);
  });

  it.each([
    ['02-docker-version-mac-intel-dd4.47.0-daemon-500.txt', 'docker-version'],
    ['12-docker-version-win-18.09-daemon-down-in-template.txt', 'docker-version'],
    ['14-wsl-version-german-localized.txt', 'wsl-version'],
    ['17-wsl-status-minimal-no-kernel.txt', 'wsl-status'],
    ['24-wsl-list-utf16-spaced-letters.txt', 'wsl-list'],
    ['29-wslconfig-docs-sample-with-comments-double-backslash.txt', 'wslconfig'],
    ['30-wslconfig-japanese-comments-quoted-values.txt', 'wslconfig'],
    ['32-dd-settings-json-in-backend-log-line.txt', 'desktop-settings'],
    ['33-dd-settings-go-struct-dump-log.txt', 'desktop-settings'],
    ['35-buildx-history-inspect-failed-build-tabs.txt', 'buildx-history'],
    ['45-docker-info-win-wsl2-dd-blkio-warnings-cmder.txt', 'docker-info'],
    ['46-docker-info-linux-docker-desktop-containerd-snapshotter.txt', 'docker-info'],
    ['49-docker-info-linux-raspbian-legacy-format-warnings.txt', 'docker-info'],
    ['50-docker-info-json-mac-arm-jsonpp-sorted-keys.txt', 'docker-info'],
    ['58-wslconf-section-headers-commented-out.txt', 'wsl-conf'],
    ['60-dockercli-version-dd-2.2.0.5-windows.txt', 'desktop-version'],
    ['67-docker-info-mac-daemon-down-errors-pretty-printing.txt', 'docker-info'],
    ['76-wsl-version-unsupported-inbox-wsl-doubled-blank-lines.txt', 'wsl-version'],
    ['83-wslconfig-unfenced-utf16-bom-crlf-ignored.txt', 'wslconfig'],
    ['86-wsl-no-installed-distributions-error.txt', 'wsl-list'],
    ['91-wsl-version-french-labels-values-masked.txt', 'wsl-version'],
    ['92-dd-settings-store-json-default-verbatim.txt', 'desktop-settings'],
  ])('names %s a single %s output', (name, kind) => {
    expect(kinds(name)).toEqual([kind]);
  });

  it('keeps the command typed before each output', () => {
    const parts = splitPaste(
      loadFixture('77-docker-info-mac-intel-debug-mode-registry-mirrors-then-version.txt'),
    );
    expect(parts.map((part) => part.command)).toEqual(['docker info', 'docker version']);
  });
});

describe('parseAny', () => {
  it('reads each output of a mixed paste: Desktop 4.48.0 after a linuxkit docker info', () => {
    const { value } = parseAny(
      loadFixture('77-docker-info-mac-intel-debug-mode-registry-mirrors-then-version.txt'),
    );
    const [info, version] = value;

    expect(info?.kind === 'docker-info' && info.value.engine?.backend).toBe('linuxkit');
    expect(version?.kind === 'docker-version' && version.value.desktop).toEqual({
      version: '4.48.0',
      build: '207573',
    });
  });

  it('reads docker info after "docker ps" in an old WSL distro as unreachable', () => {
    const parts = parseAny(
      loadFixture('68-docker-version-wsl-distro-old-cli-daemon-down.txt'),
    ).value;
    const info = parts.find((part) => part.kind === 'docker-info');

    expect(info?.kind === 'docker-info' && info.value.daemon.state).toBe('unreachable');
  });

  it('reads the whole text as the kind asked for', () => {
    const { value } = parseAny(loadFixture('17-wsl-status-minimal-no-kernel.txt'), 'wsl-status');
    expect(value).toHaveLength(1);
    expect(value[0]?.kind === 'wsl-status' && value[0].value.defaultDistro).toBe('Debian');
  });

  it('says when nothing readable is there', () => {
    expect(parseAny('just some prose').warnings).toContain('nothing the agent reads was found');
  });
});
