import type { SchedulePlan, ScheduledJob } from './plan.js';

export const LAUNCHD_PREFIX = 'com.devfleet.agent.';

export function launchdLabel(job: ScheduledJob): string {
  return `${LAUNCHD_PREFIX}${job.name}`;
}

export interface PlistFile {
  label: string;
  /** File name in ~/Library/LaunchAgents. */
  name: string;
  text: string;
}

/** One LaunchAgent per job: runs as the user, in the user's session, at the plan's times. */
export function launchdPlists(plan: SchedulePlan): PlistFile[] {
  return plan.jobs.map((job) => {
    const label = launchdLabel(job);
    return { label, name: `${label}.plist`, text: plist(plan, job, label) };
  });
}

function plist(plan: SchedulePlan, job: ScheduledJob, label: string): string {
  const args = [plan.program, ...plan.programArgs, ...job.args];
  const env = Object.entries(plan.env);
  const intervals = job.times.map(
    ({ hour, minute }) =>
      `      <dict>\n        <key>Hour</key>\n        <integer>${hour}</integer>\n` +
      `        <key>Minute</key>\n        <integer>${minute}</integer>\n      </dict>`,
  );

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '  <dict>',
    '    <key>Label</key>',
    `    <string>${escapeXml(label)}</string>`,
    '    <key>ProgramArguments</key>',
    '    <array>',
    ...args.map((arg) => `      <string>${escapeXml(arg)}</string>`),
    '    </array>',
    ...(env.length > 0
      ? [
          '    <key>EnvironmentVariables</key>',
          '    <dict>',
          ...env.flatMap(([key, value]) => [
            `      <key>${escapeXml(key)}</key>`,
            `      <string>${escapeXml(value)}</string>`,
          ]),
          '    </dict>',
        ]
      : []),
    // launchd runs a job missed during sleep once at wake, like systemd's Persistent=true.
    '    <key>StartCalendarInterval</key>',
    '    <array>',
    ...intervals,
    '    </array>',
    '    <key>ProcessType</key>',
    '    <string>Background</string>',
    '    <key>StandardOutPath</key>',
    `    <string>${escapeXml(plan.logFile)}</string>`,
    '    <key>StandardErrorPath</key>',
    `    <string>${escapeXml(plan.logFile)}</string>`,
    '  </dict>',
    '</plist>',
    '',
  ].join('\n');
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => xmlEntities[c] ?? c);
}

const xmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
