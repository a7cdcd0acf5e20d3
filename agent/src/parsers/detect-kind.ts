import { isDaemonError } from './docker-errors.js';
import { splitLabel } from './input.js';
import { findJsonSpans, isRecord, parseJsonLenient } from './json-text.js';
import type { KnownKind, ParseKind } from './parse-kind.js';
import { WSL_CONF_SECTIONS } from './wsl-conf.js';
import { WSLCONFIG_SECTIONS } from './wslconfig.js';

type Scores = Partial<Record<KnownKind, number>>;

const lower = (keys: Iterable<string>): Set<string> =>
  new Set(Array.from(keys, (key) => key.toLowerCase()));

const WSLCONFIG_KEYS = lower(Object.values(WSLCONFIG_SECTIONS).flat());
const WSL_CONF_KEYS = lower(Object.values(WSL_CONF_SECTIONS).flat());
const WSLCONFIG_HEADERS = lower(Object.keys(WSLCONFIG_SECTIONS));
const WSL_CONF_HEADERS = lower(Object.keys(WSL_CONF_SECTIONS));

// Line patterns and the kind each one points at, with a weight: a unique marker weighs more
// than a field several outputs share.
// prettier-ignore
const LINE_MARKS: [RegExp, KnownKind, number][] = [
  [/^\s*(Server Version|Storage Driver|Logging Driver|Cgroup Driver|Docker Root Dir|Total Memory|Live Restore Enabled|Insecure Registries|Kernel Version):/, 'docker-info', 3],
  [/^\s*(Containers|Images|CPUs|Operating System|OSType|Debug Mode|Default Runtime|Swarm)\b.*:/, 'docker-info', 2],
  [/^errors pretty printing info/, 'docker-info', 4],
  [/^\s*(API version|Go version|Git commit|Built|OS\/Arch):/, 'docker-version', 2],
  [/^\s*(Engine|containerd|runc|docker-init):\s*$/, 'docker-version', 2],
  [/^Server: Docker (Desktop|Engine)/, 'docker-version', 4],
  [/^\s*NAME\s+STATE\s+VERSION\s*$/, 'wsl-list', 8],
  [/has no installed distributions|WSL_E_DEFAULT_DISTRO_NOT_FOUND/, 'wsl-list', 8],
  [/^\S{1,128}\s+\((Default|predeterminado|既定|Standard|par défaut|默认|預設|기본값|по умолчанию)\)\s*$/i, 'wsl-list', 5],
  [/^Default (Distribution|Version):/, 'wsl-status', 5],
  [/last updated on|automatic updates are/, 'wsl-status', 3],
  [/Invalid command line option: --version|Usage: wsl(\.exe)? \[/i, 'wsl-version', 6],
  [/^\s*BUILD ID\s+NAME\s+STATUS\b/, 'buildx-history', 8],
  [/^\s*Build Steps:\s/, 'buildx-history', 5],
  [/^(Docker Compose version|docker-compose version \d|github\.com\/docker\/buildx v?\d|Docker version \d[^,]*, build)/, 'plugin-versions', 6],
  [/^Channel:\s*(stable|edge|beta)/i, 'desktop-version', 4],
  [/^Version:\s*\d+\.\d+\.\d+\.\d+\s*\(\d+\)/, 'desktop-version', 4],
];

const JSON_KEYS: [string[], KnownKind][] = [
  [['client', 'server'], 'docker-version'],
  [
    ['serverversion', 'ncpu', 'memtotal', 'clientinfo', 'servererrors', 'containersrunning'],
    'docker-info',
  ],
  [
    [
      'settingsversion',
      'memorymib',
      'wslengineenabled',
      'filesharingdirectories',
      'autostart',
      'usecontainerdsnapshotter',
      'displayedonboarding',
      'licensetermsversion',
    ],
    'desktop-settings',
  ],
  [
    ['ref', 'total_steps', 'completed_steps', 'cached_steps', 'numtotalsteps', 'numcachedsteps'],
    'buildx-history',
  ],
];

/**
 * Names what a piece of text is by its content. A command typed before it (`hint`) only breaks a
 * tie: pastes put the wrong output under a command often enough (docker/for-win#14309).
 */
export function detectKind(text: string, hint: KnownKind | null = null): ParseKind {
  const source = typeof text === 'string' ? text : String(text ?? '');
  const lines = source.split('\n').slice(0, 2000);
  const scores: Scores = {};
  const add = (kind: KnownKind, weight: number): void => {
    scores[kind] = (scores[kind] ?? 0) + weight;
  };

  scoreLines(lines, add);
  scoreJson(source, add);
  scoreIni(lines, add);
  scoreWslLabels(lines, add);

  let best: ParseKind = 'unknown';
  let bestScore = 0;
  let tie = false;
  for (const [kind, score] of Object.entries(scores) as [KnownKind, number][]) {
    const bonus = kind === hint ? 0.5 : 0;
    if (score + bonus > bestScore) {
      best = kind;
      bestScore = score + bonus;
      tie = false;
    } else if (score + bonus === bestScore) {
      tie = true;
    }
  }
  return tie ? 'unknown' : best;
}

function scoreLines(lines: string[], add: (kind: KnownKind, weight: number) => void): void {
  for (const line of lines) {
    if (line.length > 4000) continue;
    for (const [pattern, kind, weight] of LINE_MARKS) {
      if (pattern.test(line)) add(kind, weight);
    }
    // Both commands report a daemon they cannot reach; the command typed before decides.
    if (isDaemonError(line)) {
      add('docker-version', 1);
      add('docker-info', 1);
    }
  }
}

function scoreJson(text: string, add: (kind: KnownKind, weight: number) => void): void {
  const escaped = text.includes('{\\"') ? text.replace(/\\(["\\/])/g, '$1') : '';
  for (const source of escaped ? [text, escaped] : [text]) {
    for (const span of findJsonSpans(source, 32)) {
      const value = parseJsonLenient(source.slice(span.start, span.end)).value;
      const object = Array.isArray(value) ? value.find(isRecord) : value;
      if (!isRecord(object)) continue;

      const keys = lower(Object.keys(object));
      for (const [markers, kind] of JSON_KEYS) {
        const hits = markers.filter((key) => keys.has(key)).length;
        if (hits > 0) add(kind, 4 + hits * 2);
      }
    }
  }

  // Go's %+v of the settings struct (docker/for-win#11705).
  if (/\b(MemoryMiB|SettingsVersion|WslEngineEnabled):\S/.test(text)) add('desktop-settings', 8);
}

function scoreIni(lines: string[], add: (kind: KnownKind, weight: number) => void): void {
  for (const line of lines) {
    const trimmed = line.trim();
    const header = /^#?\s*\[([A-Za-z][A-Za-z0-9]{0,40})\]\s*$/.exec(trimmed)?.[1]?.toLowerCase();
    if (header && WSLCONFIG_HEADERS.has(header)) add('wslconfig', 5);
    if (header && WSL_CONF_HEADERS.has(header)) add('wsl-conf', 5);

    const key = /^([A-Za-z][A-Za-z0-9]{0,63})\s*=/.exec(trimmed)?.[1]?.toLowerCase();
    if (!key) continue;
    const inConfig = WSLCONFIG_KEYS.has(key);
    const inConf = WSL_CONF_KEYS.has(key);
    if (inConfig && !inConf) add('wslconfig', 2);
    if (inConf && !inConfig) add('wsl-conf', 2);
  }
}

// Translated `wsl --version` and `wsl --status` have no fixed words: look at value shapes.
function scoreWslLabels(lines: string[], add: (kind: KnownKind, weight: number) => void): void {
  let previousDistro = false;
  for (const line of lines) {
    const pair = splitLabel(line.trim());
    if (!pair || pair.label === '' || pair.label.length > 48) {
      previousDistro = false;
      continue;
    }

    if (/wsl(?!g)/i.test(pair.label) && /^[\dxX]{1,4}(\.[\dxX]{1,10}){2,3}$/.test(pair.value)) {
      add('wsl-version', 4);
    }
    if (/wslg|msrdc|direct3d|dxcore/i.test(pair.label)) add('wsl-version', 2);
    if (previousDistro && /^[12]$/.test(pair.value)) add('wsl-status', 4);
    previousDistro = /^(?=\S*[A-Za-z])[A-Za-z0-9][\w.+-]{0,127}$/.test(pair.value);
  }
}
