import { open } from 'node:fs/promises';

import { Option, type Command } from 'commander';

import { AgentError } from '../config/agent-error.js';
import { MAX_INPUT_BYTES } from '../parsers/decode.js';
import { PARSE_KINDS, parseAny, type ParsedPart, type ParseKind } from '../parsers/index.js';
import { printLine } from './output.js';
import { printable } from './printable.js';

interface ParseOptions {
  kind?: ParseKind;
  json?: boolean;
}

/** `devfleet-agent parse FILE [--kind K] [--json]`: what the agent reads in a saved output. */
export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('read a saved command output, config file or pasted bug report; sends nothing')
    .argument('<file>', 'the file to read (any encoding: UTF-8, UTF-16 with or without BOM)')
    .addOption(
      new Option(
        '--kind <kind>',
        'read the whole file as this kind instead of detecting it',
      ).choices([...PARSE_KINDS]),
    )
    .option('--json', 'print the parsed facts as JSON')
    .action(async (file: string, options: ParseOptions) => {
      const input = await readInput(file);
      const parsed = parseAny(input.bytes, options.kind);
      const warnings = input.cut
        ? [`only the first ${MAX_INPUT_BYTES} bytes were read`, ...parsed.warnings]
        : parsed.warnings;
      const recognized = parsed.value.some((part) => part.kind !== 'unknown');

      if (options.json) {
        printLine(JSON.stringify({ parts: parsed.value, warnings }, null, 2));
      } else if (recognized) {
        printLine(formatParts(parsed.value, warnings));
      }
      if (!recognized) {
        const cut = input.cut ? ` (its first ${MAX_INPUT_BYTES} bytes)` : '';
        if (options.kind !== undefined && options.kind !== 'unknown') {
          const why = parsed.value.flatMap((part) => part.warnings).slice(0, 3);
          throw new AgentError(
            'AGENT_PARSE_UNRECOGNIZED',
            `${printable(file)}${cut} does not read as ${options.kind}` +
              (why.length > 0 ? `: ${why.map(printable).join('; ')}` : ''),
          );
        }
        throw new AgentError(
          'AGENT_PARSE_UNRECOGNIZED',
          `nothing the agent reads was found in ${printable(file)}${cut}; if it is one of ` +
            `${PARSE_KINDS.join(', ')}, say which with --kind`,
        );
      }
    });
}

/**
 * The file's first MAX_INPUT_BYTES, all the parsers look at: `parse /dev/zero` or a runaway log
 * costs 4 MB, not memory until the machine gives up.
 */
async function readInput(file: string): Promise<{ bytes: Uint8Array; cut: boolean }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }

  try {
    if ((await handle.stat()).isDirectory()) throw isFolder(file);
    const buffer = Buffer.alloc(MAX_INPUT_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return {
      bytes: buffer.subarray(0, Math.min(length, MAX_INPUT_BYTES)),
      cut: length > MAX_INPUT_BYTES,
    };
  } catch (error) {
    throw error instanceof AgentError ? error : unreadable(file, error);
  } finally {
    await handle.close();
  }
}

function unreadable(file: string, error: unknown): AgentError {
  if ((error as NodeJS.ErrnoException).code === 'EISDIR') return isFolder(file);
  const reason = error instanceof Error ? error.message : String(error);
  return new AgentError('AGENT_USAGE', `cannot read ${file}: ${reason}`, { cause: error });
}

function isFolder(file: string): AgentError {
  return new AgentError('AGENT_USAGE', `${file} is a folder; give parse a file to read`);
}

/** The table view. Everything in it came from the file: each line is made printable. */
function formatParts(parts: ParsedPart[], warnings: string[]): string {
  const blocks = parts.map((part, index) => {
    const where = `line ${part.startLine}${part.command ? `, after "${part.command}"` : ''}`;
    const lines = [`#${index + 1} ${part.kind} (${where})`, ...summarize(part)];
    for (const warning of part.warnings) lines.push(`  warning: ${warning}`);
    return lines.map(printable).join('\n');
  });
  for (const warning of warnings) blocks.push(printable(`warning: ${warning}`));
  return blocks.join('\n\n');
}

function summarize(part: ParsedPart): string[] {
  const facts: [string, unknown][] = [];
  switch (part.kind) {
    case 'docker-version': {
      const { client, server, desktop, daemon } = part.value;
      facts.push(['client', client ? `${client.version} (${client.os}/${client.arch})` : null]);
      facts.push(['context', client?.context]);
      facts.push(['engine', server?.version]);
      facts.push(['desktop', desktop ? `${desktop.version} (build ${desktop.build})` : null]);
      facts.push(['daemon', daemon.state], ['error', daemon.error]);
      break;
    }
    case 'docker-info': {
      const { engine, daemon, plugins, context } = part.value;
      facts.push(['engine', engine?.serverVersion], ['backend', engine?.backend]);
      facts.push(['kernel', engine?.kernelVersion], ['cpus', engine?.cpus]);
      facts.push(['memory', engine?.memoryBytes], ['context', context]);
      facts.push(['plugins', plugins.map((plugin) => `${plugin.name} ${plugin.version}`)]);
      facts.push(['daemon', daemon.state], ['error', daemon.error]);
      break;
    }
    case 'plugin-versions':
      facts.push(...part.value.map((tool): [string, unknown] => [tool.name, tool.version]));
      break;
    case 'desktop-version':
      facts.push(['desktop', part.value.version], ['build', part.value.build]);
      break;
    case 'wsl-version':
      facts.push(['wsl', part.value.version], ['kernel', part.value.kernelVersion]);
      facts.push(['windows', part.value.windowsVersion], ['inbox', part.value.inbox || null]);
      break;
    case 'wsl-list':
      facts.push(['default', part.value.defaultDistro]);
      for (const distro of part.value.distros) {
        facts.push([distro.name, `${distro.state}, WSL ${distro.version ?? '?'}`]);
      }
      break;
    case 'wsl-status':
      facts.push(['default', part.value.defaultDistro]);
      facts.push(['version', part.value.defaultVersion], ['kernel', part.value.kernelVersion]);
      break;
    case 'wslconfig':
    case 'wsl-conf':
      for (const entry of part.value) {
        const bytes = entry.bytes === null ? '' : ` (${entry.bytes} bytes)`;
        facts.push([`[${entry.section}] ${entry.key}`, `${entry.value}${bytes}`]);
      }
      break;
    case 'desktop-settings': {
      const settings = part.value?.settings;
      facts.push(['memory MiB', settings?.memoryMiB], ['cpus', settings?.cpus]);
      facts.push(['WSL engine', settings?.wslEngineEnabled]);
      facts.push(['settings version', part.value?.settingsVersion]);
      break;
    }
    case 'buildx-history':
      for (const build of part.value) {
        facts.push([build.ref ?? build.name ?? '?', `${build.status} ${build.durationMs} ms`]);
      }
      break;
    case 'unknown':
      break;
  }
  return facts
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([label, value]) => `  ${label}: ${Array.isArray(value) ? value.join(', ') : value}`);
}
