import { describe, expect, it } from 'vitest';

import {
  agentCronLines,
  cronLines,
  mergeCrontab,
  quoteShell,
  removeFromCrontab,
} from '../../src/schedule/cron.js';
import { launchdPlists } from '../../src/schedule/launchd.js';
import { jitterMinutes, planSchedule, type SchedulePlan } from '../../src/schedule/plan.js';
import {
  createTaskCall,
  quoteWindowsArg,
  schtasksTasks,
  taskXmlBytes,
} from '../../src/schedule/schtasks.js';
import { quoteSystemdArg, systemdUnits } from '../../src/schedule/systemd.js';

function plan(overrides: Partial<Parameters<typeof planSchedule>[0]> = {}): SchedulePlan {
  return planSchedule({
    program: '/usr/bin/node',
    programArgs: ['/opt/devfleet agent/bin/devfleet-agent.js'],
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    logFile: '/home/devuser/.config/devfleet/schedule.log',
    everyHours: 4,
    bench: true,
    seed: 'machine-1',
    ...overrides,
  });
}

describe('planSchedule', () => {
  it('reports every 4 h at one jittered minute and benchmarks once a day after noon', () => {
    const { jobs } = plan();
    const [report, bench] = jobs;

    expect(report?.args).toEqual(['report', '--no-wait']);
    expect(report?.times).toHaveLength(6);
    const hours = report?.times.map((t) => t.hour) ?? [];
    expect(hours.every((h, i) => i === 0 || h - (hours[i - 1] ?? 0) === 4)).toBe(true);
    expect(new Set(report?.times.map((t) => t.minute)).size).toBe(1);
    expect(bench?.args).toEqual(['report', '--bench', '--no-wait']);
    expect(bench?.times).toHaveLength(1);
    expect(bench?.times[0]?.hour).toBeGreaterThanOrEqual(12);
    expect(bench?.times[0]?.hour).toBeLessThan(14);
  });

  it('keeps a machine’s times when installed again and spreads machines apart', () => {
    const offsets = Array.from({ length: 50 }, (_, i) => jitterMinutes(`machine-${i}`, 240));

    expect(plan()).toEqual(plan());
    expect(plan({ seed: 'machine-2' }).jobs[0]?.times).not.toEqual(plan().jobs[0]?.times);
    expect(new Set(offsets).size).toBeGreaterThan(40);
    expect(offsets.every((m) => m >= 0 && m < 240)).toBe(true);
  });

  it('leaves the benchmarks out on request and refuses a period that does not divide a day', () => {
    expect(plan({ bench: false }).jobs.map((j) => j.name)).toEqual(['report']);
    expect(plan({ everyHours: 1 }).jobs[0]?.times).toHaveLength(24);
    expect(() => plan({ everyHours: 5 })).toThrow(/does not divide a day/);
  });
});

const fixed: SchedulePlan = {
  program: '/usr/bin/node',
  programArgs: ['/opt/devfleet agent/bin/devfleet-agent.js'],
  env: { PATH: '/usr/local/bin:/usr/bin' },
  logFile: '/home/devuser/.config/devfleet/schedule.log',
  jobs: [
    {
      name: 'report',
      description: 'devfleet: report every 4 h',
      args: ['report', '--no-wait'],
      times: [
        { hour: 1, minute: 7 },
        { hour: 5, minute: 7 },
      ],
    },
    {
      name: 'bench',
      description: 'devfleet: benchmarks daily',
      args: ['report', '--bench', '--no-wait'],
      times: [{ hour: 12, minute: 30 }],
    },
  ],
};

describe('systemd units', () => {
  it('makes a oneshot service and a persistent timer for each job', () => {
    const units = systemdUnits(fixed);

    expect(units.map((u) => u.name)).toEqual([
      'devfleet-agent-report.service',
      'devfleet-agent-report.timer',
      'devfleet-agent-bench.service',
      'devfleet-agent-bench.timer',
    ]);
    expect(units[0]?.text).toBe(
      [
        '[Unit]',
        'Description=devfleet: report every 4 h',
        '',
        '[Service]',
        'Type=oneshot',
        'Environment=PATH=/usr/local/bin:/usr/bin',
        'ExecStart=/usr/bin/node "/opt/devfleet agent/bin/devfleet-agent.js" report --no-wait',
        'Nice=10',
        '',
      ].join('\n'),
    );
    expect(units[1]?.text).toBe(
      [
        '[Unit]',
        'Description=devfleet: report every 4 h',
        '',
        '[Timer]',
        'OnCalendar=*-*-* 01:07:00',
        'OnCalendar=*-*-* 05:07:00',
        'Persistent=true',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    );
    expect(units[2]?.text).toContain(
      'ExecStart=/usr/bin/node "/opt/devfleet agent/bin/devfleet-agent.js" report --bench --no-wait',
    );
  });

  it('keeps %, $, quotes and backslashes literal', () => {
    expect(quoteSystemdArg('/home/a%b/$HOME')).toBe('/home/a%%b/$$HOME');
    expect(quoteSystemdArg('C:\\a "b"')).toBe('"C:\\\\a \\"b\\""');
  });
});

describe('crontab lines', () => {
  it('gives each job one line with its hours, PATH, the log and a marker', () => {
    expect(cronLines(fixed)).toEqual([
      "7 1,5 * * * env PATH=/usr/local/bin:/usr/bin /usr/bin/node '/opt/devfleet agent/bin/devfleet-agent.js' report --no-wait >> /home/devuser/.config/devfleet/schedule.log 2>&1 # devfleet-agent:report",
      "30 12 * * * env PATH=/usr/local/bin:/usr/bin /usr/bin/node '/opt/devfleet agent/bin/devfleet-agent.js' report --bench --no-wait >> /home/devuser/.config/devfleet/schedule.log 2>&1 # devfleet-agent:bench",
    ]);
  });

  it('carries DEVFLEET_AGENT_HOME when it was set at install time', () => {
    const env = { PATH: '/usr/bin', DEVFLEET_AGENT_HOME: '/srv/devfleet home' };
    const [line] = cronLines({ ...fixed, env, jobs: [fixed.jobs[0]!] });
    const [unit] = systemdUnits({ ...fixed, env, jobs: [fixed.jobs[0]!] });

    expect(line).toContain(
      "env PATH=/usr/bin DEVFLEET_AGENT_HOME='/srv/devfleet home' /usr/bin/node",
    );
    expect(unit?.text).toContain('Environment="DEVFLEET_AGENT_HOME=/srv/devfleet home"\n');
  });

  it('escapes % (cron’s stdin marker) and single quotes', () => {
    const [line] = cronLines({ ...fixed, logFile: "/tmp/it's 100%.log", jobs: [fixed.jobs[0]!] });

    expect(line).toContain(`'/tmp/it'\\''s 100\\%.log'`);
    expect(quoteShell('plain/path-1.2')).toBe('plain/path-1.2');
  });

  it('replaces its own lines and keeps every other line, comment and variable', () => {
    const others = 'MAILTO=ops@example.com\n# backups\n0 3 * * * /usr/local/bin/backup\n';
    const first = mergeCrontab(others, cronLines(fixed));
    const again = mergeCrontab(first, cronLines({ ...fixed, jobs: [fixed.jobs[0]!] }));

    expect(first.startsWith(others)).toBe(true);
    expect(agentCronLines(first)).toHaveLength(2);
    expect(agentCronLines(again)).toHaveLength(1);
    expect(removeFromCrontab(again)).toBe(others);
    expect(mergeCrontab('0 3 * * * backup', [])).toBe('0 3 * * * backup\n');
    expect(mergeCrontab('', ['x # devfleet-agent:report'])).toBe('x # devfleet-agent:report\n');
  });
});

describe('launchd plists', () => {
  it('makes a LaunchAgent per job with its arguments, PATH, times and log', () => {
    const [report, bench] = launchdPlists(fixed);

    expect(report?.name).toBe('com.devfleet.agent.report.plist');
    expect(report?.text).toContain('<string>com.devfleet.agent.report</string>');
    expect(report?.text).toContain(
      [
        '    <array>',
        '      <string>/usr/bin/node</string>',
        '      <string>/opt/devfleet agent/bin/devfleet-agent.js</string>',
        '      <string>report</string>',
        '      <string>--no-wait</string>',
        '    </array>',
      ].join('\n'),
    );
    expect(report?.text.match(/<key>Hour<\/key>/g)).toHaveLength(2);
    expect(report?.text).toContain(
      '<key>PATH</key>\n      <string>/usr/local/bin:/usr/bin</string>',
    );
    expect(report?.text).toContain(
      '<key>StandardOutPath</key>\n    <string>/home/devuser/.config/devfleet/schedule.log</string>',
    );
    expect(bench?.text).toContain('<key>Hour</key>\n        <integer>12</integer>');
  });

  it('escapes XML in arguments', () => {
    const [plist] = launchdPlists({ ...fixed, program: '/a&b/<node>' });

    expect(plist?.text).toContain('<string>/a&amp;b/&lt;node&gt;</string>');
  });
});

describe('Task Scheduler definitions', () => {
  const windowsPlan: SchedulePlan = {
    ...fixed,
    program: 'C:\\Program Files\\nodejs\\node.exe',
    programArgs: [
      'C:\\Users\\DevUser\\AppData\\Roaming\\npm\\node_modules\\devfleet-agent\\bin\\devfleet-agent.js',
    ],
    env: {},
  };

  it('makes one task per job with a daily trigger per time and catch-up after sleep', () => {
    const [report, bench] = schtasksTasks(windowsPlan);

    expect(report?.taskName).toBe('\\devfleet\\agent-report');
    expect(report?.xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-16"\?>\r\n<Task version="1.2"/,
    );
    expect(report?.xml.match(/<CalendarTrigger>/g)).toHaveLength(2);
    expect(report?.xml).toContain('<StartBoundary>2025-01-01T05:07:00</StartBoundary>');
    expect(report?.xml).toContain('<StartWhenAvailable>true</StartWhenAvailable>');
    expect(report?.xml).toContain('<Command>C:\\Program Files\\nodejs\\node.exe</Command>');
    expect(report?.xml).toContain(
      '<Arguments>C:\\Users\\DevUser\\AppData\\Roaming\\npm\\node_modules\\devfleet-agent\\bin\\devfleet-agent.js report --no-wait</Arguments>',
    );
    expect(bench?.xml).toContain('devfleet-agent.js report --bench --no-wait</Arguments>');
    expect(bench?.xml).toContain('<LogonType>InteractiveToken</LogonType>');
  });

  it('passes a config folder chosen at install time as --home, since tasks get no variables', () => {
    const home = 'C:\\Users\\Dev User\\devfleet-test';
    const [report] = schtasksTasks({ ...windowsPlan, env: { DEVFLEET_AGENT_HOME: home } });

    expect(report?.xml).toContain(
      'devfleet-agent.js --home &quot;C:\\Users\\Dev User\\devfleet-test&quot; report --no-wait</Arguments>',
    );
    expect(schtasksTasks(windowsPlan)[0]?.xml).not.toContain('--home');
  });

  it('registers with schtasks /Create /XML and writes the file as UTF-16 LE with a BOM', () => {
    const bytes = taskXmlBytes('<Task/>');

    expect(createTaskCall('\\devfleet\\agent-report', 'C:\\t.xml').args).toEqual([
      '/Create',
      '/TN',
      '\\devfleet\\agent-report',
      '/XML',
      'C:\\t.xml',
      '/F',
    ]);
    expect([...bytes.subarray(0, 4)]).toEqual([0xff, 0xfe, 0x3c, 0x00]);
    expect(bytes.subarray(2).toString('utf16le')).toBe('<Task/>');
  });

  it.each([
    ['plain', 'plain'],
    ['C:\\Program Files\\x', '"C:\\Program Files\\x"'],
    ['C:\\dir with space\\', '"C:\\dir with space\\\\"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['', '""'],
  ])('quotes %s for CommandLineToArgvW as %s', (arg, quoted) => {
    expect(quoteWindowsArg(arg)).toBe(quoted);
  });
});
