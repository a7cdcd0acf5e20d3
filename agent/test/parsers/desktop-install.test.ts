import { describe, expect, it } from 'vitest';

import {
  parseInfoPlist,
  parsePackageVersion,
  parseRegDisplayVersion,
} from '../../src/parsers/desktop-install.js';

describe('parseRegDisplayVersion', () => {
  it('reads DisplayVersion from reg query output, with CRLF and the key path above it', () => {
    const text = [
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Docker Desktop',
      '    DisplayVersion    REG_SZ    4.37.1',
      '',
    ].join('\r\n');

    expect(parseRegDisplayVersion(text)).toEqual({
      value: { version: '4.37.1', build: null },
      warnings: [],
    });
  });

  it('says so when the value is missing', () => {
    const result = parseRegDisplayVersion(
      'ERROR: The system was unable to find the specified registry key or value.',
    );

    expect(result.value).toBeNull();
    expect(result.warnings).toHaveLength(1);
  });
});

describe('parseInfoPlist', () => {
  it('reads the version and the build number from Docker.app', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleIdentifier</key>
	<string>com.docker.docker</string>
	<key>CFBundleShortVersionString</key>
	<string>4.49.0</string>
	<key>CFBundleVersion</key>
	<string>208700</string>
</dict>
</plist>`;

    expect(parseInfoPlist(text).value).toEqual({ version: '4.49.0', build: '208700' });
  });

  it('rejects a value that is not a version', () => {
    const text = '<key>CFBundleShortVersionString</key><string>beta</string>';

    expect(parseInfoPlist(text).value).toBeNull();
  });
});

describe('parsePackageVersion', () => {
  it('splits the Debian or RPM package version into version and build', () => {
    expect(parsePackageVersion('4.43.2-200950').value).toEqual({
      version: '4.43.2',
      build: '200950',
    });
    expect(parsePackageVersion('').value).toBeNull();
  });
});
