import type { Wsl } from '@devfleet/wire';

import { clipOrNull, prepareInput, splitLabel } from './input.js';
import { parseSafely, type Parsed } from './parsed.js';

export interface WslStatusFacts extends Pick<Wsl, 'defaultDistro' | 'kernelVersion'> {
  defaultVersion: 1 | 2 | null;
}

// Labels are translated; the values are not: a distro name, then 1 or 2, then (older WSL) the
// kernel version under a label that names the kernel in most languages.
const DISTRO_VALUE = /^(?=[^\s]*[A-Za-z])[A-Za-z0-9][\w.+-]{0,127}$/;
const KERNEL_LABEL = /kernel|noyau|内核|核心|カーネル|커널|ядр|jádr/i;
const KERNEL_VALUE = /^\d{1,4}\.\d{1,4}\.\d{1,6}(?:\.\d{1,6})?(?:-[\w.+-]{1,60})?$/;

/** Reads `wsl --status`: default distribution, default version, kernel on older builds. */
export function parseWslStatus(text: string): Parsed<WslStatusFacts> {
  return parseSafely('wsl-status', () => readWslStatus(text), emptyFacts);
}

function emptyFacts(): WslStatusFacts {
  return { defaultDistro: null, kernelVersion: null, defaultVersion: null };
}

function readWslStatus(input: string): Parsed<WslStatusFacts> {
  const { lines, warnings } = prepareInput(input);
  const facts = emptyFacts();

  for (const line of lines) {
    const pair = splitLabel(line.trim());
    if (!pair || pair.label === '' || pair.label.length > 60 || pair.value === '') continue;
    const { label, value } = pair;

    if (facts.defaultDistro === null && facts.defaultVersion === null && DISTRO_VALUE.test(value)) {
      facts.defaultDistro = clipOrNull(value, 256);
    } else if (facts.defaultVersion === null && /^[12]$/.test(value)) {
      facts.defaultVersion = Number(value) as 1 | 2;
    } else if (facts.kernelVersion === null && KERNEL_LABEL.test(label)) {
      if (KERNEL_VALUE.test(value)) facts.kernelVersion = clipOrNull(value, 128);
    }
  }

  if (facts.defaultDistro === null && facts.defaultVersion === null) {
    warnings.push('no wsl --status output found');
  } else if (facts.defaultDistro === null) {
    warnings.push('no default distribution');
  }
  return { value: facts, warnings };
}
