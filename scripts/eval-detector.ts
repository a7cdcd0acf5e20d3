/**
 * Measures the detectors on synthetic fleets whose truth is known: recall, false alarms per 1,000
 * machine-weeks and detection delay in reports, feeding samples one at a time in time order, the
 * way ingestion will call the detectors. Deterministic (seeded PRNG): the same table every run.
 *
 *   npx tsx scripts/eval-detector.ts [--quick] [--seed N] [--only none,outlier,update,silent]
 */
import {
  defaultLevelShiftOptions,
  detectLevelShift,
  type LevelShiftOptions,
} from '../server/src/detect/change-point.js';
import {
  assessFleet,
  defaultFleetOptions,
  type ControlMachine,
  type FleetOptions,
  type Mover,
} from '../server/src/detect/fleet-detector.js';
import {
  assessChange,
  defaultAssessOptions,
  type AssessOptions,
} from '../server/src/detect/machine-detector.js';
import type { Sample } from '../server/src/detect/window.js';

const hour = 3_600_000;
const day = 24 * hour;

// Tuning runs override the defaults with DETECT_OPTIONS='{"machine":{…},"fleet":{…},"shift":{…}}';
// the table in docs/detector.md comes from the defaults alone.
const overrides = JSON.parse(process.env['DETECT_OPTIONS'] ?? '{}') as {
  machine?: Partial<AssessOptions>;
  fleet?: Partial<Omit<FleetOptions, 'machine'>>;
  shift?: Partial<LevelShiftOptions>;
};
const machineOptions: AssessOptions = { ...defaultAssessOptions, ...overrides.machine };
const fleetOptions: FleetOptions = { ...defaultFleetOptions, ...overrides.fleet };
const shiftOptions: LevelShiftOptions = { ...defaultLevelShiftOptions, ...overrides.shift };
const maxWindow = machineOptions.maxWindow;
const shiftWindow =
  shiftOptions.maxBaseline + shiftOptions.gap + shiftOptions.recent + shiftOptions.confirm;

// ---------------------------------------------------------------------------------------------
// Seeded randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  exponential(mean: number): number {
    return -mean * Math.log(Math.max(this.next(), 1e-12));
  }

  pick<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, count);
  }
}

// ---------------------------------------------------------------------------------------------
// Synthetic fleets

interface SimEvent {
  at: number;
  /** Transition key (field/from/to): shared by the machines that took the same update. */
  key: string;
  /** True multiplicative effect on the series (0 = none). */
  effect: number;
}

interface SimMachine {
  id: string;
  samples: Sample[];
  events: SimEvent[];
  /** A level shift with no event (an antivirus update), if any. */
  silentStepAt: number | null;
}

interface FleetSpec {
  machines: number;
  days: number;
  reportsPerDay: number;
  cv: number;
  outlierRate: number;
  /** Mean days between unrelated, harmless change events on a machine (0 = none). */
  backgroundEventDays: number;
  /** Fleet-wide harmless updates every N days to a random 60% of machines (0 = none). */
  harmlessUpdateDays: number;
  update: { day: number; movers: number; staggerDays: number; effect: number } | null;
  silentStep: { fromDay: number; toDay: number; effect: number } | null;
  /** Force one 10× sample right after each machine's first event (worst case for the detector). */
  outlierAfterEvent: boolean;
}

function generateFleet(spec: FleetSpec, rng: Rng): SimMachine[] {
  const sigma = Math.sqrt(Math.log(1 + spec.cv ** 2));
  const ids = Array.from({ length: spec.machines }, (_, i) => `m${i}`);
  const machines: SimMachine[] = ids.map((id) => ({
    id,
    samples: [],
    events: [],
    silentStepAt: null,
  }));

  if (spec.update) {
    const u = spec.update;
    for (const machine of rng.pick(machines, u.movers)) {
      const at = (u.day + rng.uniform(0, u.staggerDays)) * day + rng.uniform(9, 18) * hour;
      machine.events.push({ at, key: 'desktopVersion 4.36.0 → 4.37.1', effect: u.effect });
    }
  }

  if (spec.harmlessUpdateDays > 0) {
    for (let d = 10, n = 0; d < spec.days; d += spec.harmlessUpdateDays, n++) {
      for (const machine of rng.pick(machines, Math.round(spec.machines * 0.6))) {
        const at = (d + rng.uniform(0, 7)) * day + rng.uniform(9, 18) * hour;
        machine.events.push({ at, key: `desktopVersion release ${n}`, effect: 0 });
      }
    }
  }

  for (const machine of machines) {
    if (spec.backgroundEventDays > 0) {
      let t = rng.exponential(spec.backgroundEventDays) * day;
      for (let n = 0; t < spec.days * day; n++) {
        const nearUpdate = machine.events.some(
          (e) => e.effect !== 0 && t >= e.at - day && t <= e.at + 3 * day,
        );
        if (!nearUpdate) machine.events.push({ at: t, key: `${machine.id} field ${n}`, effect: 0 });
        t += rng.exponential(spec.backgroundEventDays) * day;
      }
    }
    machine.events.sort((a, b) => a.at - b.at);

    let silentEffect = 0;
    if (spec.silentStep) {
      machine.silentStepAt = rng.uniform(spec.silentStep.fromDay, spec.silentStep.toDay) * day;
      silentEffect = spec.silentStep.effect;
    }

    const base = 60_000 * Math.exp(0.5 * rng.normal());
    const firstEventAt = machine.events[0]?.at ?? Infinity;
    let outlierPlaced = false;
    for (let d = 0; d < spec.days; d++) {
      for (let r = 0; r < spec.reportsPerDay; r++) {
        const at = d * day + (9 + (9 * (r + rng.uniform(0, 1))) / spec.reportsPerDay) * hour;
        let level = base;
        for (const e of machine.events) if (e.at <= at) level *= 1 + e.effect;
        if (machine.silentStepAt !== null && at >= machine.silentStepAt) level *= 1 + silentEffect;

        let value = level * Math.exp(sigma * rng.normal() - sigma ** 2 / 2);
        if (rng.uniform() < spec.outlierRate) value *= 10;
        if (spec.outlierAfterEvent && !outlierPlaced && at >= firstEventAt) {
          value *= 10;
          outlierPlaced = true;
        }
        machine.samples.push({ at, valueMs: value });
      }
    }
  }

  return machines;
}

// ---------------------------------------------------------------------------------------------
// Running the detectors as samples arrive

interface MachineAlert {
  machineId: string;
  eventKey: string;
  kind: 'regression' | 'improvement';
  afterCount: number;
}

interface FleetAlert {
  key: string;
  kind: 'regression' | 'improvement';
  at: number;
  /** Post-change reports of each mover when the alert fired (0: had not moved yet). */
  moverReports: Map<string, number>;
}

interface UnattributedAlert {
  machineId: string;
  at: number;
  since: number;
}

interface RunResult {
  machineAlerts: MachineAlert[];
  fleetAlerts: FleetAlert[];
  unattributed: UnattributedAlert[];
}

interface MachineState {
  sim: SimMachine;
  seen: Sample[];
  /** Index in `seen` of the first sample at or after each event (filled as samples arrive). */
  eventStart: number[];
  alertedEvents: Set<number>;
  shiftResetAt: number;
}

function runDetectors(machines: SimMachine[]): RunResult {
  const result: RunResult = { machineAlerts: [], fleetAlerts: [], unattributed: [] };
  const states = new Map<string, MachineState>(
    machines.map((m) => [
      m.id,
      {
        sim: m,
        seen: [],
        eventStart: m.events.map(() => -1),
        alertedEvents: new Set(),
        shiftResetAt: -Infinity,
      },
    ]),
  );
  const arrivals = machines
    .flatMap((m) => m.samples.map((s) => ({ machineId: m.id, sample: s })))
    .sort((a, b) => a.sample.at - b.sample.at);
  const alertedTransitions = new Set<string>();

  for (const { machineId, sample } of arrivals) {
    const state = states.get(machineId);
    if (!state) continue;
    state.seen.push(sample);
    const index = state.seen.length - 1;
    state.sim.events.forEach((e, i) => {
      if (state.eventStart[i] === -1 && e.at <= sample.at) state.eventStart[i] = index;
    });

    const last = lastEventIndex(state, sample.at);
    if (last >= 0) {
      const afterCount = index - (state.eventStart[last] ?? index) + 1;
      const event = state.sim.events[last];
      if (event && afterCount <= maxWindow) {
        checkMachine(state, last, result);
        if (!alertedTransitions.has(event.key) && isSharedKey(event.key)) {
          const alert = checkFleet(event.key, sample.at, states);
          if (alert) {
            alertedTransitions.add(event.key);
            result.fleetAlerts.push(alert);
          }
        }
      }
    }

    const since = Math.max(
      last >= 0 ? (state.sim.events[last]?.at ?? -Infinity) : -Infinity,
      state.shiftResetAt,
    );
    const window = tailSince(state.seen, since, shiftWindow);
    const shift = detectLevelShift(window, shiftOptions);
    if (shift) {
      result.unattributed.push({ machineId, at: sample.at, since: shift.since });
      state.shiftResetAt = shift.since;
    }
  }

  return result;
}

function isSharedKey(key: string): boolean {
  return key.startsWith('desktopVersion');
}

function lastEventIndex(state: MachineState, at: number): number {
  let last = -1;
  state.sim.events.forEach((e, i) => {
    if (e.at <= at) last = i;
  });
  return last;
}

function tailSince(samples: readonly Sample[], since: number, max: number): Sample[] {
  const out: Sample[] = [];
  for (let i = samples.length - 1; i >= 0 && out.length < max; i--) {
    const s = samples[i];
    if (!s || s.at < since) break;
    out.push(s);
  }
  return out.reverse();
}

function eventWindows(state: MachineState, i: number): { before: Sample[]; after: Sample[] } {
  const start = state.eventStart[i] ?? -1;
  const prevStart = i > 0 ? (state.eventStart[i - 1] ?? 0) : 0;
  const nextStart = state.eventStart[i + 1] ?? -1;
  const end = nextStart >= 0 ? nextStart : state.seen.length;
  return {
    before: state.seen.slice(Math.max(prevStart, start - maxWindow), start),
    after: state.seen.slice(start, Math.min(end, start + maxWindow)),
  };
}

function checkMachine(state: MachineState, i: number, result: RunResult): void {
  if (state.alertedEvents.has(i)) return;
  const { before, after } = eventWindows(state, i);
  const assessment = assessChange(before, after, machineOptions);
  if (!assessment || assessment.kind === 'none') return;

  state.alertedEvents.add(i);
  result.machineAlerts.push({
    machineId: state.sim.id,
    eventKey: state.sim.events[i]?.key ?? '',
    kind: assessment.kind,
    afterCount: assessment.afterCount,
  });
}

function checkFleet(
  key: string,
  now: number,
  states: Map<string, MachineState>,
): FleetAlert | null {
  const movers: Mover[] = [];
  const controls: ControlMachine[] = [];
  const moverReports = new Map<string, number>();
  let firstChange = Infinity;

  for (const state of states.values()) {
    const i = state.sim.events.findIndex((e) => e.key === key && e.at <= now);
    if (i >= 0 && (state.eventStart[i] ?? -1) >= 0) {
      const { before, after } = eventWindows(state, i);
      const changedAt = state.sim.events[i]?.at ?? now;
      firstChange = Math.min(firstChange, changedAt);
      movers.push({ machineId: state.sim.id, changedAt, before, after });
      moverReports.set(state.sim.id, after.length);
    } else if (!state.sim.events.some((e) => e.key === key && e.at <= now)) {
      controls.push({ machineId: state.sim.id, samples: state.seen.slice(-3 * maxWindow) });
    }
  }

  const fleet = assessFleet(movers, controls, fleetOptions);
  if (!fleet || fleet.kind === 'none') return null;
  return { key, kind: fleet.kind, at: now, moverReports };
}

// ---------------------------------------------------------------------------------------------
// Scenarios and the table

interface Row {
  scenario: string;
  cv: number;
  effect: number;
  rollout: string;
  machineRecall5: number | null;
  machineRecall: number | null;
  machineDelay: number | null;
  fleetRecall: number | null;
  fleetRecall5: number | null;
  fleetDelay: number | null;
  covered5: number | null;
  machineWeeks: number;
  faMachine: number;
  faFleet: number;
  faUnattributed: number;
  /** Raw alert count, for the scenarios where any alert is wrong. */
  alerts?: number;
}

const baseSpec: FleetSpec = {
  machines: 14,
  days: 42,
  reportsPerDay: 3,
  cv: 0.1,
  outlierRate: 0.005,
  backgroundEventDays: 14,
  harmlessUpdateDays: 0,
  update: null,
  silentStep: null,
  outlierAfterEvent: false,
};

function runUpdateScenario(
  cv: number,
  effect: number,
  staggerDays: number,
  fleets: number,
  seed: number,
): Row {
  const rng = new Rng(seed);
  let moverEvents = 0;
  let recall5 = 0;
  let recallAll = 0;
  const delays: number[] = [];
  let fleetHits = 0;
  const fleetDelays: number[] = [];
  let covered5 = 0;
  let falseMachine = 0;
  let falseUnattributed = 0;
  let falseFleet = 0;

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = {
      ...baseSpec,
      cv,
      update: { day: 28, movers: 9, staggerDays, effect },
    };
    const machines = generateFleet(spec, rng);
    const run = runDetectors(machines);
    const key = 'desktopVersion 4.36.0 → 4.37.1';
    const harmless = effect === 0;
    const fleetAlert = harmless
      ? undefined
      : run.fleetAlerts.find((a) => a.key === key && a.kind === 'regression');
    falseFleet += run.fleetAlerts.filter((a) => a !== fleetAlert).length;
    if (fleetAlert) {
      fleetHits++;
      const reports = [...fleetAlert.moverReports.values()].filter((n) => n > 0);
      fleetDelays.push(median(reports));
    }

    for (const m of machines) {
      const isMover = m.events.some((e) => e.key === key);
      const alerts = run.machineAlerts.filter((a) => a.machineId === m.id);
      const hit = harmless
        ? undefined
        : alerts.find((a) => a.eventKey === key && a.kind === 'regression');
      falseMachine += alerts.filter((a) => a !== hit).length;
      falseUnattributed += run.unattributed.filter((a) => a.machineId === m.id).length;
      if (!isMover) continue;

      moverEvents++;
      if (hit) {
        recallAll++;
        delays.push(hit.afterCount);
        if (hit.afterCount <= 5) recall5++;
      }
      const fleetReports = fleetAlert ? (fleetAlert.moverReports.get(m.id) ?? 0) : Infinity;
      const coveredAt = Math.min(hit?.afterCount ?? Infinity, Math.max(fleetReports, 1));
      if (coveredAt <= 5) covered5++;
    }
  }

  const machineWeeks = (fleets * baseSpec.machines * baseSpec.days) / 7;
  const truth = effect !== 0;
  return {
    scenario: truth ? 'update step' : 'harmless update',
    cv,
    effect,
    rollout: staggerDays <= 1 ? 'same day' : `over ${staggerDays} days`,
    machineRecall5: truth ? recall5 / moverEvents : null,
    machineRecall: truth ? recallAll / moverEvents : null,
    machineDelay: delays.length ? median(delays) : null,
    fleetRecall: truth ? fleetHits / fleets : null,
    fleetRecall5: truth ? fleetDelays.filter((d) => d <= 5).length / fleets : null,
    fleetDelay: fleetDelays.length ? median(fleetDelays) : null,
    covered5: truth ? covered5 / moverEvents : null,
    machineWeeks,
    faMachine: (1000 * falseMachine) / machineWeeks,
    faFleet: (1000 * falseFleet) / machineWeeks,
    faUnattributed: (1000 * falseUnattributed) / machineWeeks,
  };
}

function runNoChangeScenario(cv: number, fleets: number, seed: number): Row {
  const rng = new Rng(seed);
  const days = 182;
  let machineAlerts = 0;
  let fleetAlerts = 0;
  let unattributed = 0;

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = { ...baseSpec, cv, days, harmlessUpdateDays: 28 };
    const run = runDetectors(generateFleet(spec, rng));
    machineAlerts += run.machineAlerts.length;
    fleetAlerts += run.fleetAlerts.length;
    unattributed += run.unattributed.length;
  }

  const machineWeeks = (fleets * baseSpec.machines * days) / 7;
  return {
    scenario: 'no change',
    cv,
    effect: 0,
    rollout: 'events, no effect',
    machineRecall5: null,
    machineRecall: null,
    machineDelay: null,
    fleetRecall: null,
    fleetRecall5: null,
    fleetDelay: null,
    covered5: null,
    machineWeeks,
    faMachine: (1000 * machineAlerts) / machineWeeks,
    faFleet: (1000 * fleetAlerts) / machineWeeks,
    faUnattributed: (1000 * unattributed) / machineWeeks,
  };
}

function runSilentStepScenario(cv: number, effect: number, fleets: number, seed: number): Row {
  const rng = new Rng(seed);
  let steps = 0;
  let found = 0;
  let found10 = 0;
  const delays: number[] = [];
  let early = 0;

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = {
      ...baseSpec,
      cv,
      backgroundEventDays: 0,
      silentStep: { fromDay: 14, toDay: 28, effect },
    };
    const machines = generateFleet(spec, rng);
    const run = runDetectors(machines);
    for (const m of machines) {
      const stepAt = m.silentStepAt ?? Infinity;
      steps++;
      const alerts = run.unattributed.filter((a) => a.machineId === m.id);
      early += alerts.filter((a) => a.at < stepAt).length;
      const hit = alerts.find((a) => a.at >= stepAt);
      if (!hit) continue;

      const delay = m.samples.filter((s) => s.at >= stepAt && s.at <= hit.at).length;
      found++;
      if (delay <= 10) found10++;
      delays.push(delay);
    }
  }

  const machineWeeks = (fleets * baseSpec.machines * baseSpec.days) / 7;
  return {
    scenario: 'silent step',
    cv,
    effect,
    rollout: 'no event',
    machineRecall5: found10 / steps,
    machineRecall: found / steps,
    machineDelay: delays.length ? median(delays) : null,
    fleetRecall: null,
    fleetRecall5: null,
    fleetDelay: null,
    covered5: null,
    machineWeeks,
    faMachine: 0,
    faFleet: 0,
    faUnattributed: (1000 * early) / machineWeeks,
  };
}

/**
 * Each machine that takes a harmless update gets one 10× build right after it. The same fleet is
 * run again without that build (same seed, same noise): only alerts that the outlier added count,
 * so the rare false alarm that noise alone raises is not blamed on the outlier.
 */
function runOutlierScenario(cv: number, fleets: number, seed: number): Row {
  let machineAlerts = 0;
  let fleetAlerts = 0;
  let unattributed = 0;
  let machines = 0;

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = {
      ...baseSpec,
      cv,
      outlierRate: 0,
      backgroundEventDays: 0,
      harmlessUpdateDays: 0,
      update: { day: 28, movers: 9, staggerDays: 1, effect: 0 },
      outlierAfterEvent: true,
    };
    const withOutlier = runDetectors(generateFleet(spec, new Rng(seed * 1000 + f)));
    const clean = runDetectors(
      generateFleet({ ...spec, outlierAfterEvent: false }, new Rng(seed * 1000 + f)),
    );
    machines += spec.machines;
    machineAlerts += added(withOutlier.machineAlerts, clean.machineAlerts);
    fleetAlerts += added(withOutlier.fleetAlerts, clean.fleetAlerts);
    unattributed += added(withOutlier.unattributed, clean.unattributed);
  }

  const machineWeeks = (machines * baseSpec.days) / 7;
  return {
    scenario: '10× outlier after update',
    cv,
    effect: 0,
    rollout: 'same day',
    machineRecall5: null,
    machineRecall: null,
    machineDelay: null,
    fleetRecall: null,
    fleetRecall5: null,
    fleetDelay: null,
    covered5: null,
    machineWeeks,
    faMachine: (1000 * machineAlerts) / machineWeeks,
    faFleet: (1000 * fleetAlerts) / machineWeeks,
    faUnattributed: (1000 * unattributed) / machineWeeks,
    alerts: machineAlerts + fleetAlerts + unattributed,
  };
}

/** Alerts in `withOutlier` that the clean run did not raise (compared by what they say). */
function added<T extends object>(withOutlier: readonly T[], clean: readonly T[]): number {
  const seen = new Set(clean.map((a) => JSON.stringify(a, replacer)));
  return withOutlier.filter((a) => !seen.has(JSON.stringify(a, replacer))).length;
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? [...value.entries()] : value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percent(value: number | null): string {
  return value === null ? '–' : `${(100 * value).toFixed(0)}%`;
}

function number(value: number | null, digits = 1): string {
  return value === null ? '–' : value.toFixed(digits);
}

function printTable(rows: readonly Row[]): void {
  const header = [
    'scenario',
    'CV',
    'effect',
    'rollout',
    'machine recall early',
    'machine recall',
    'machine delay',
    'fleet recall',
    'fleet ≤5',
    'fleet delay',
    'covered ≤5',
    'machine-weeks',
    'FA machine',
    'FA fleet',
    'FA unattributed',
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => ' --- ').join('|')}|`);
  for (const r of rows) {
    const cells = [
      r.scenario,
      percent(r.cv),
      r.effect === 0 ? '0' : `+${(100 * r.effect).toFixed(0)}%`,
      r.rollout,
      percent(r.machineRecall5),
      percent(r.machineRecall),
      number(r.machineDelay, 0),
      percent(r.fleetRecall),
      percent(r.fleetRecall5),
      number(r.fleetDelay, 0),
      percent(r.covered5),
      r.machineWeeks.toFixed(0),
      number(r.faMachine, 2),
      number(r.faFleet, 2),
      number(r.faUnattributed, 2),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const seedArg = args.indexOf('--seed');
  const seed = seedArg >= 0 ? Number(args[seedArg + 1]) : 20240601;
  const scale = quick ? 0.25 : 1;
  const fleets = (n: number) => Math.max(2, Math.round(n * scale));
  const cvs = [0.05, 0.1, 0.2];
  const rows: Row[] = [];
  const started = Date.now();
  let s = seed;

  // Seeds advance the same way whichever scenarios run, so a partial run repeats the full one.
  const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '') : '';
  const wanted = (name: string) => only === '' || only.split(',').includes(name);

  for (const cv of cvs) {
    const seedHere = s++;
    if (wanted('none')) rows.push(runNoChangeScenario(cv, fleets(40), seedHere));
  }
  for (const cv of cvs) {
    const seedHere = s++;
    if (wanted('outlier')) rows.push(runOutlierScenario(cv, fleets(20), seedHere));
  }
  for (const cv of cvs) {
    for (const effect of [0, 0.05, 0.1, 0.2, 0.35, 0.6]) {
      for (const stagger of [1, 7]) {
        const seedHere = s++;
        if (wanted('update'))
          rows.push(runUpdateScenario(cv, effect, stagger, fleets(30), seedHere));
      }
    }
  }
  for (const cv of cvs) {
    for (const effect of [0.2, 0.35, 0.6]) {
      const seedHere = s++;
      if (wanted('silent')) rows.push(runSilentStepScenario(cv, effect, fleets(20), seedHere));
    }
  }

  printTable(rows);
  const outlierAlerts = rows.reduce((sum, r) => sum + (r.alerts ?? 0), 0);
  console.log(`\nalerts added by a single 10× build right after an update: ${outlierAlerts}`);
  console.log(
    `seed ${seed}${quick ? ' (quick)' : ''}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(
    JSON.stringify({ machine: machineOptions, fleet: fleetOptions, shift: shiftOptions }),
  );
}

main();
