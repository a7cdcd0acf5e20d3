import type { AssessedMachine, FleetMachine, MachineSummary } from '@devfleet/wire';

import type { Db } from '../db/client.js';
import {
  activeRegressionsByMachine,
  fleetFacts,
  machineStates,
  type FleetFacts,
} from '../db/fleet-repository.js';
import type { HealthRules } from './rules-config.js';
import { evaluateHealth, healthStatus, type HealthFacts } from './rules.js';

/**
 * Health of the given machines at `now`, with every finding. Everything read is a fact stored
 * at ingestion (the latest environment, the folded known state, the latest mount slowdown,
 * alert members): cheap enough to run on every page load.
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
    const findings = evaluateHealth(
      healthFacts({
        enrolledAt: Date.parse(machine.enrolledAt),
        environment: machine.environment,
        known: state?.known ?? {},
        latestCollectedAt: state?.latestCollectedAt ?? null,
        openAlerts: regressions.get(machine.id) ?? [],
        mountSlowdown: state?.mountSlowdown ?? null,
      }),
      rules,
      now,
    );
    return { ...machine, status: healthStatus(findings), findings };
  });
}

/**
 * The fleet table: every machine (of one owner, if given) with its status and the rules it
 * fails, from one read of the machines, their environments and known states. The fleet page
 * asks for it on every load and as reports arrive, for a thousand machines.
 */
export function assessFleet(
  db: Db,
  rules: HealthRules,
  now: number,
  filter: { owner?: string } = {},
): FleetMachine[] {
  const regressions = activeRegressionsByMachine(db);

  return fleetFacts(db, filter).map((m: FleetFacts) => {
    const env = m.environment;
    const findings = evaluateHealth(
      healthFacts({
        enrolledAt: m.enrolledAt,
        environment: env,
        known: m.known,
        latestCollectedAt: m.latestCollectedAt,
        openAlerts: regressions.get(m.id) ?? [],
        mountSlowdown: m.mountSlowdown,
      }),
      rules,
      now,
    );
    return {
      id: m.id,
      hostname: m.hostname,
      owner: m.owner,
      enrolledAt: new Date(m.enrolledAt).toISOString(),
      lastSeenAt: m.lastSeenAt === null ? null : new Date(m.lastSeenAt).toISOString(),
      environment: env && {
        collectedAt: new Date(env.collectedAt).toISOString(),
        lastCollectedAt: new Date(m.latestCollectedAt ?? env.collectedAt).toISOString(),
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
      known: knownVersions(m.known),
      status: healthStatus(findings),
      failing: findings.filter((f) => f.result === 'fail'),
    };
  });
}

/** The fleet table's row of an assessed machine: the facts it shows, the rules it fails. */
export function fleetRow(
  machine: AssessedMachine,
  known: Readonly<Record<string, string>> = {},
): FleetMachine {
  const env = machine.environment;
  return {
    id: machine.id,
    hostname: machine.hostname,
    owner: machine.owner,
    enrolledAt: machine.enrolledAt,
    lastSeenAt: machine.lastSeenAt,
    environment: env && {
      collectedAt: env.collectedAt,
      lastCollectedAt: env.lastCollectedAt,
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
    known: knownVersions(known),
    status: machine.status,
    failing: machine.findings.filter((f) => f.result === 'fail'),
  };
}

function knownVersions(known: Readonly<Record<string, string>>): FleetMachine['known'] {
  return {
    desktopVersion: known.desktopVersion ?? null,
    engineVersion: known.engineVersion ?? null,
    wslVersion: known.wslVersion ?? null,
  };
}

function healthFacts(facts: HealthFacts): HealthFacts {
  const onWindowsDrive = facts.environment?.projectPathKind === 'windows-drive-via-wsl';
  // The measured slowdown is the bind mount's, which sits where the code is only on /mnt.
  return { ...facts, mountSlowdown: onWindowsDrive ? facts.mountSlowdown : null };
}
