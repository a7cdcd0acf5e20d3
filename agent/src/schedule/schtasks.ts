import { escapeXml } from './launchd.js';
import type { ClockTime, SchedulePlan, ScheduledJob } from './plan.js';

export const SCHTASKS_FOLDER = 'devfleet';

export function schtasksName(job: ScheduledJob): string {
  return `\\${SCHTASKS_FOLDER}\\agent-${job.name}`;
}

export interface TaskDefinition {
  taskName: string;
  /** The XML for `schtasks /Create /XML`; write it as UTF-16 LE with a BOM (see taskXmlBytes). */
  xml: string;
}

export interface SchtasksCall {
  args: string[];
}

export function schtasksTasks(plan: SchedulePlan): TaskDefinition[] {
  return plan.jobs.map((job) => ({ taskName: schtasksName(job), xml: taskXml(plan, job) }));
}

export function createTaskCall(taskName: string, xmlFile: string): SchtasksCall {
  return { args: ['/Create', '/TN', taskName, '/XML', xmlFile, '/F'] };
}

export function deleteTaskCall(taskName: string): SchtasksCall {
  return { args: ['/Delete', '/TN', taskName, '/F'] };
}

export function queryTaskCall(taskName: string): SchtasksCall {
  return { args: ['/Query', '/TN', taskName, '/FO', 'LIST'] };
}

/**
 * schtasks rejects a UTF-8 file whose declaration says UTF-16 and often a UTF-8 one outright
 * ("the task XML is malformed"); Task Scheduler's own exports are UTF-16 LE with a BOM.
 */
export function taskXmlBytes(xml: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}

function taskXml(plan: SchedulePlan, job: ScheduledJob): string {
  // A task gets the user's own environment from the registry (PATH with Docker's folder among
  // it), never the variables of the shell that installed it: a chosen config folder goes as
  // --home. PATH is not carried, as a new terminal has the same.
  const home = plan.env.DEVFLEET_AGENT_HOME;
  const agentArgs = home ? ['--home', home, ...job.args] : job.args;
  const args = [...plan.programArgs, ...agentArgs].map(quoteWindowsArg).join(' ');

  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    `    <Description>${escapeXml(job.description)}</Description>`,
    `    <URI>${escapeXml(schtasksName(job))}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    ...job.times.map(calendarTrigger),
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    // Runs as the signed-in developer, only while signed in: Docker Desktop and WSL are theirs.
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    // A run missed while the laptop slept starts when it wakes.
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <ExecutionTimeLimit>PT1H</ExecutionTimeLimit>',
    '    <Enabled>true</Enabled>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${escapeXml(plan.program)}</Command>`,
    `      <Arguments>${escapeXml(args)}</Arguments>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

// A StartBoundary without a zone is local time; a date in the past starts the series at once.
function calendarTrigger({ hour, minute }: ClockTime): string {
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`;
  return [
    '    <CalendarTrigger>',
    `      <StartBoundary>2025-01-01T${time}</StartBoundary>`,
    '      <Enabled>true</Enabled>',
    '      <ScheduleByDay>',
    '        <DaysInterval>1</DaysInterval>',
    '      </ScheduleByDay>',
    '    </CalendarTrigger>',
  ].join('\r\n');
}

/**
 * Quotes one argument the way CommandLineToArgvW (and so node.exe) splits it: backslashes are
 * literal except before a quote, where they must be doubled.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  const escaped = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1');
  return `"${escaped}"`;
}
