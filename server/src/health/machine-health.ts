import type { AssessedMachine, FleetMachine, MachineSummary } from '@devfleet/wire';

import type { Db } from '../db/client.js';
import { activeRegressionsByMachine, machineStates } from '../db/fleet-repository.js';
import type { HealthRules } from './rules-config.js';
import { evaluateHealth, healthStatus } from './rules.js';

/**
 * Health of the given machines at `now`. Everything read is a fact stored at ingestion (the
 * latest environment, the folded known state, the latest mount slowdown, alert members): cheap
 * enough to run on every page load.
 */
export function assessMachines(
  db: Db,
  machines: readonly MachineSummary[],
  rules: HealthRules,
  now: number,
): AssessedMachine[] {
  const states = machineStates(
    db,
    machines.map((m) => m.id),
  );
  const regressions = activeRegressionsByMachine(db);

  return machines.map((machine) => {
    const state = states.get(machine.id);
    const env = machine.environment;
    const onWindowsDrive = env?.projectPathKind === 'windows-drive-via-wsl';
    const findings = evaluateHealth(
      {
        enrolledAt: Date.parse(machine.enrolledAt),
        environment: env,
        known: state?.known ?? {},
        latestCollectedAt: state?.latestCollectedAt ?? null,
        openAlerts: regressions.get(machine.id) ?? [],
        mountSlowdown: onWindowsDrive ? (state?.mountSlowdown ?? null) : null,
      },
      rules,
      now,
    );
    return { ...machine, status: healthStatus(findings), findings };
  });
}

/** The fleet table's row of an assessed machine: the facts it shows, the rules it fails. */
export function fleetRow(machine: AssessedMachine): FleetMachine {
  const env = machine.environment;
  return {
    id: machine.id,
    hostname: machine.hostname,
    owner: machine.owner,
    enrolledAt: machine.enrolledAt,
    lastSeenAt: machine.lastSeenAt,
    environment: env && {
      collectedAt: env.collectedAt,
      platform: env.platform,
      osName: env.osName,
      wslDistro: env.wslDistro,
      daemonState: env.daemonState,
      desktopVersion: env.desktopVersion,
      engineVersion: env.engineVersion,
      wslVersion: env.wslVersion,
      memoryBytes: env.memoryBytes,
      engineMemoryBytes: env.engineMemoryBytes,
    },
    status: machine.status,
    failing: machine.findings.filter((f) => f.result === 'fail'),
  };
}
