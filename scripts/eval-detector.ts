/**
 * Measures the detectors on synthetic fleets whose truth is known: recall, false alarms per 1,000
 * machine-weeks and detection delay in reports. Samples arrive one report at a time in time order
 * across the fleet, and after each report the same steps run as in server/src/alerts/detection.ts
 * (which transitions are assessed, fleet pooling, dedupe), so the table says what the server does.
 * Deterministic (seeded PRNG): the same table every run.
 *
 *   npx tsx scripts/eval-detector.ts [--quick] [--seed N] [--jobs N] [--only none,outlier,update,silent,resolution]
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

import { attributeShift, type Candidate } from '../server/src/detect/attribution.js';
import {
  defaultLevelShiftOptions,
  detectLevelShift,
  type LevelShiftOptions,
} from '../server/src/detect/change-point.js';
import {
  assessFleet,
  defaultFleetOptions,
  fleetMembers,
  type ControlMachine,
  type FleetOptions,
  type Mover,
} from '../server/src/detect/fleet-detector.js';
import { defaultAssessOptions, type AssessOptions } from '../server/src/detect/machine-detector.js';
import {
  defaultResolutionOptions,
  assessResolution,
  type ResolutionOptions,
} from '../server/src/detect/resolution.js';
import type { Sample } from '../server/src/detect/window.js';

const hour = 3_600_000;
const day = 24 * hour;

// Tuning runs override the defaults with DETECT_OPTIONS='{"machine":{…},"fleet":{…},"shift":{…}}';
// the table in docs/detector.md comes from the defaults alone.
const overrides = JSON.parse(process.env['DETECT_OPTIONS'] ?? '{}') as {
  machine?: Partial<AssessOptions>;
  fleet?: Partial<Omit<FleetOptions, 'machine'>>;
  shift?: Partial<LevelShiftOptions>;
  resolution?: Partial<ResolutionOptions>;
};
const machineOptions: AssessOptions = { ...defaultAssessOptions, ...overrides.machine };
const fleetOptions: FleetOptions = { ...defaultFleetOptions, ...overrides.fleet };
const shiftOptions: LevelShiftOptions = { ...defaultLevelShiftOptions, ...overrides.shift };
const resolutionOptions: ResolutionOptions = {
  ...defaultResolutionOptions,
  ...overrides.resolution,
};
const WINDOW = machineOptions.maxWindow;
const SHIFT_WINDOW =
  shiftOptions.maxBaseline + shiftOptions.gap + shiftOptions.recent + shiftOptions.confirm;
const CONTROL_LOOKBACK = 14 * day;

// The targets of issue 5.
const TARGET_RECALL = 0.95;
const TARGET_REPORTS = 5;
const TARGET_FALSE_ALARMS = 1;

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

const UPDATE_KEY = 'desktopVersion 4.36.0 → 4.37.1';
const FIX_KEY = 'desktopVersion 4.37.1 → 4.37.2';

interface SimEvent {
  at: number;
  /** Transition key (field/from/to): shared by the machines that took the same update. */
  key: string;
  /** True multiplicative effect on every series (0 = none). */
  effect: number;
  /** A change no build can feel (clientVersion, a .wslconfig key WSL ignores). */
  inert: boolean;
  /** A fleet-wide release (Docker Desktop): pooled by the fleet detector. */
  shared: boolean;
}

/** The events one report showed: the server's transition. */
interface SimTransition {
  /** Index of the first report that showed it; its samples ran on the new environment. */
  report: number;
  events: SimEvent[];
  /** The shared key the fleet detector pools on, if any event is a fleet-wide release. */
  key: string | null;
  inert: boolean;
}

interface SimMachine {
  id: string;
  /** Report times (collectedAt; the benchmark samples run a minute later). */
  times: number[];
  /** values[series][report] */
  values: number[][];
  events: SimEvent[];
  transitions: SimTransition[];
  /** A level shift with no event (an antivirus update), if any. */
  silentStepAt: number | null;
}

type NoiseModel = 'iid' | 'ar1' | 'bimodal';

interface FleetSpec {
  machines: number;
  days: number;
  reportsPerDay: number;
  /** Series per machine, all measured on every report (a full benchmark run has 12). */
  series: number;
  cv: number;
  noise: NoiseModel;
  outlierRate: number;
  /** Mean days between unrelated change events on a machine (0 = none); half are inert. */
  backgroundEventDays: number;
  /** Fleet-wide harmless updates every N days to a random 60% of machines (0 = none). */
  harmlessUpdateDays: number;
  update: {
    day: number;
    movers: number;
    staggerDays: number;
    effect: number;
    /** A fix release that undoes the effect on every mover, within a day of this day. */
    fixDay?: number;
  } | null;
  silentStep: { fromDay: number; toDay: number; effect: number } | null;
  /**
   * The first sample after each machine's first event: 10× (the worst case for the detector),
   * absent (the same fleet without that build, to compare with), or as drawn.
   */
  outlierAfterEvent: 'tenfold' | 'absent' | false;
}

// Half of a sample's log-noise is the machine's (a busy laptop slows every series of a run),
// half the series' own. AR(1) noise drifts: one slow day is followed by another.
const SHARED_SHARE = 0.5;
const AR1_PHI = 0.6;
// Bimodal: a quarter of the runs miss the build cache and take 1.6×.
const CACHE_MISS_RATE = 0.25;
const CACHE_MISS_FACTOR = 1.6;

function generateFleet(spec: FleetSpec, rng: Rng): SimMachine[] {
  const ids = Array.from({ length: spec.machines }, (_, i) => `m${i}`);
  const events = new Map<string, SimEvent[]>(ids.map((id) => [id, []]));

  if (spec.update) {
    const u = spec.update;
    for (const id of rng.pick(ids, u.movers)) {
      const at = (u.day + rng.uniform(0, u.staggerDays)) * day + rng.uniform(9, 18) * hour;
      events.get(id)?.push({ at, key: UPDATE_KEY, effect: u.effect, inert: false, shared: true });
      if (u.fixDay !== undefined) {
        const fixAt = (u.fixDay + rng.uniform(0, 1)) * day + rng.uniform(9, 18) * hour;
        const effect = 1 / (1 + u.effect) - 1;
        events.get(id)?.push({ at: fixAt, key: FIX_KEY, effect, inert: false, shared: true });
      }
    }
  }

  if (spec.harmlessUpdateDays > 0) {
    for (let d = 10, n = 0; d < spec.days; d += spec.harmlessUpdateDays, n++) {
      for (const id of rng.pick(ids, Math.round(spec.machines * 0.6))) {
        const at = (d + rng.uniform(0, 7)) * day + rng.uniform(9, 18) * hour;
        const key = `desktopVersion release ${n}`;
        events.get(id)?.push({ at, key, effect: 0, inert: false, shared: true });
      }
    }
  }

  return ids.map((id) => {
    const own = events.get(id) ?? [];
    if (spec.backgroundEventDays > 0) {
      let t = rng.exponential(spec.backgroundEventDays) * day;
      for (let n = 0; t < spec.days * day; n++) {
        // Half touch something a build can feel (a Windows build, .wslconfig memory), half not
        // (the docker CLI's version, a .wslconfig key WSL ignores).
        const inert = rng.uniform() < 0.5;
        const key = `${id} ${inert ? 'clientVersion' : 'windowsVersion'} ${n}`;
        own.push({ at: t, key, effect: 0, inert, shared: false });
        t += rng.exponential(spec.backgroundEventDays) * day;
      }
    }
    own.sort((a, b) => a.at - b.at);
    return generateMachine(id, own, spec, rng);
  });
}

function generateMachine(id: string, events: SimEvent[], spec: FleetSpec, rng: Rng): SimMachine {
  const sigma = Math.sqrt(Math.log(1 + spec.cv ** 2));
  const times: number[] = [];
  for (let d = 0; d < spec.days; d++) {
    for (let r = 0; r < spec.reportsPerDay; r++) {
      times.push(d * day + (9 + (9 * (r + rng.uniform(0, 1))) / spec.reportsPerDay) * hour);
    }
  }

  const silentStepAt = spec.silentStep
    ? rng.uniform(spec.silentStep.fromDay, spec.silentStep.toDay) * day
    : null;
  const machineLevel = 60_000 * Math.exp(0.5 * rng.normal());
  const levels = Array.from(
    { length: spec.series },
    () => machineLevel * Math.exp(0.4 * rng.normal()),
  );
  const phi = spec.noise === 'ar1' ? AR1_PHI : 0;
  const drift = levels.map(() => rng.normal());
  const values = levels.map(() => [] as number[]);
  let outlierPlaced = false;

  times.forEach((at, r) => {
    let factor = 1;
    for (const e of events) if (e.at <= at) factor *= 1 + e.effect;
    if (silentStepAt !== null && at >= silentStepAt) factor *= 1 + (spec.silentStep?.effect ?? 0);
    const shared = rng.normal();
    const outlierNow =
      spec.outlierAfterEvent && !outlierPlaced && at >= (events[0]?.at ?? Infinity);
    if (outlierNow) outlierPlaced = true;

    levels.forEach((level, s) => {
      drift[s] = phi * (drift[s] ?? 0) + Math.sqrt(1 - phi ** 2) * rng.normal();
      const z = Math.sqrt(SHARED_SHARE) * shared + Math.sqrt(1 - SHARED_SHARE) * (drift[s] ?? 0);
      let value = level * factor * Math.exp(sigma * z - sigma ** 2 / 2);
      if (spec.noise === 'bimodal' && rng.uniform() < CACHE_MISS_RATE) value *= CACHE_MISS_FACTOR;
      if (rng.uniform() < spec.outlierRate) value *= 10;
      // The cold first build after an update: on the one series the outlier scenario watches.
      if (outlierNow && s === 0) value = spec.outlierAfterEvent === 'absent' ? NaN : value * 10;
      values[s]?.push(value);
      void r;
    });
  });

  return { id, times, values, events, transitions: transitionsOf(events, times), silentStepAt };
}

function transitionsOf(events: readonly SimEvent[], times: readonly number[]): SimTransition[] {
  const byReport = new Map<number, SimEvent[]>();
  for (const e of events) {
    const report = times.findIndex((t) => t >= e.at);
    if (report < 0) continue;
    byReport.set(report, [...(byReport.get(report) ?? []), e]);
  }
  return [...byReport.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([report, evs]) => ({
      report,
      events: evs,
      key: evs.find((e) => e.shared)?.key ?? null,
      inert: evs.every((e) => e.inert),
    }));
}

// ---------------------------------------------------------------------------------------------
// The server's steps after each report (server/src/alerts/detection.ts, fleet-alerts.ts and
// db/alert-repository.ts), over in-memory series: which changes are assessed, fleet pooling and
// cover, dedupe, merging, reopening, improvements kept as records, and resolution.

/** A notification a person would get: what the false-alarm rate counts. */
interface Page {
  scope: 'machine' | 'fleet' | 'unattributed';
  machineId: string | null;
  key: string;
  series: number;
  at: number;
  reopened: boolean;
}

interface SimMember {
  changeAt: number;
  afterCount: number;
  resolvedAt: number | null;
}

interface SimAlert {
  scope: 'machine' | 'fleet';
  kind: 'regression' | 'improvement' | 'unattributed';
  series: number;
  /** The shared key of the transition, for merging machine alerts into the fleet's. */
  transitionKey: string | null;
  active: boolean;
  resolvedAt: number | null;
  members: Map<string, SimMember>;
}

interface MemberInput {
  machineId: string;
  changeAt: number;
  afterCount: number;
  since: number;
}

interface MachineState {
  sim: SimMachine;
  /** Reports received so far. */
  seen: number;
  /** Series samples as Sample objects (at = report time + 1 min: benchmarks run after collect). */
  samples: Sample[][];
  concluded: Set<string>;
}

interface RunResult {
  pages: Page[];
  /** `${machineId}|${transition report}` → own reports after the change when first covered. */
  covered: Map<string, number>;
  /** Reports after the change at which each machine alert for a shared key was raised. */
  machineHits: Map<string, number>;
  alerts: Map<string, SimAlert>;
  /** Unattributed regressions per machine with the time they were raised. */
  unattributed: { machineId: string; at: number }[];
  /** Members resolved: machine, series, alert key, time of the resolution. */
  resolutions: { machineId: string; key: string; at: number }[];
}

const TAIL = 2 * WINDOW + 1;

/** The samples that exist: a report without a run of the series (NaN) gives none. */
function present(samples: readonly Sample[]): Sample[] {
  return samples.filter((x) => !Number.isNaN(x.valueMs));
}
const MAX_CANDIDATES = 3;
const TRANSITIONS = 8;
const RECENT_RUN = resolutionOptions.maxRecent;
const REGRESSED_WINDOW = 12;

class ServerMirror {
  private readonly states: Map<string, MachineState>;
  readonly result: RunResult = {
    pages: [],
    covered: new Map(),
    machineHits: new Map(),
    alerts: new Map(),
    unattributed: [],
    resolutions: [],
  };

  constructor(private readonly machines: readonly SimMachine[]) {
    this.states = new Map(
      machines.map((m) => [
        m.id,
        {
          sim: m,
          seen: 0,
          samples: m.values.map((vs) =>
            vs.map((v, i) => ({ at: (m.times[i] ?? 0) + 60_000, valueMs: v })),
          ),
          concluded: new Set(),
        },
      ]),
    );
  }

  run(): RunResult {
    const arrivals = this.machines
      .flatMap((m) => m.times.map((at) => ({ id: m.id, at })))
      .sort((a, b) => a.at - b.at);
    for (const { id, at } of arrivals) {
      const state = this.states.get(id);
      if (!state) continue;
      state.seen += 1;
      const known = state.sim.transitions.filter((t) => t.report < state.seen);
      const relevant = known.slice(-TRANSITIONS).filter((t) => !t.inert);
      for (let s = 0; s < state.samples.length; s++) this.afterReport(state, s, relevant, at);
    }
    return this.result;
  }

  private afterReport(
    state: MachineState,
    series: number,
    relevant: readonly SimTransition[],
    now: number,
  ): void {
    const samples = state.samples[series] ?? [];
    const tail = present(samples.slice(Math.max(0, state.seen - TAIL), state.seen));
    const recovered = this.checkResolutions(state, series, tail, now);
    this.assessTransitions(state, series, relevant, tail, now);

    const latest = relevant.at(-1);
    const start = Math.max(latest ? this.changeAt(state, latest) : 0, recovered);
    const window = tail.filter((x) => x.at >= start).slice(-SHIFT_WINDOW);
    const shift = detectLevelShift(window, shiftOptions);
    if (!shift) return;
    const regression = shift.kind === 'regression';
    const key = `unattributed|${state.sim.id}|${series}|${latest?.report ?? 'start'}${regression ? '' : '|improvement'}`;
    const outcome = this.upsert(key, {
      scope: 'machine',
      kind: regression ? 'unattributed' : 'improvement',
      series,
      transitionKey: null,
      members: [
        {
          machineId: state.sim.id,
          changeAt: shift.since,
          afterCount: shift.recentCount,
          since: shift.since,
        },
      ],
      recorded: !regression,
      now,
    });
    if (regression && (outcome === 'opened' || outcome === 'reopened')) {
      this.result.unattributed.push({ machineId: state.sim.id, at: now });
    }
  }

  private changeAt(state: MachineState, t: SimTransition): number {
    return state.sim.times[t.report] ?? 0;
  }

  private assessTransitions(
    state: MachineState,
    series: number,
    relevant: readonly SimTransition[],
    tail: readonly Sample[],
    now: number,
  ): void {
    const open: { transition: SimTransition; candidate: Candidate }[] = [];
    for (let i = relevant.length - 1; i >= 0 && open.length < MAX_CANDIDATES; i--) {
      const t = relevant[i] as SimTransition;
      const at = this.changeAt(state, t);
      const afterCount = tail.filter((x) => x.at >= at).length;
      if (afterCount >= tail.length && tail.length === TAIL) break;
      const memo = `${series}|${t.report}`;
      if (afterCount > WINDOW) {
        if (state.concluded.has(memo)) continue;
        state.concluded.add(memo);
      }
      const previous = relevant[i - 1];
      open.push({
        transition: t,
        candidate: { at, previousAt: previous ? this.changeAt(state, previous) : 0 },
      });
    }
    if (open.length === 0) return;

    const covered = open.map(({ transition }) =>
      transition.key ? this.fleetCovers(series, transition.key, state.sim.id, now) : false,
    );
    const found = attributeShift(
      tail,
      open.map((o) => o.candidate),
      machineOptions,
    );
    for (const attribution of [found.regression, found.improvement]) {
      if (!attribution || covered[attribution.index]) continue;
      const t = open[attribution.index]?.transition;
      if (!t) continue;
      const kind = attribution.assessment.kind === 'improvement' ? 'improvement' : 'regression';
      const changeAt = this.changeAt(state, t);
      const outcome = this.upsert(`machine|${state.sim.id}|${series}|${t.report}|${kind}`, {
        scope: 'machine',
        kind,
        series,
        transitionKey: t.key,
        members: [
          {
            machineId: state.sim.id,
            changeAt,
            afterCount: attribution.assessment.afterCount,
            since: changeAt,
          },
        ],
        recorded: kind === 'improvement',
        now,
      });
      if (kind === 'regression' && outcome === 'opened') {
        const after = state.seen - t.report;
        this.cover(state.sim.id, t.report, after);
        if (t.key) this.result.machineHits.set(`${state.sim.id}|${t.report}`, after);
      }
    }
  }

  /** Mirrors FleetAlerts.covers, evaluated at every call (the server's interval is seconds). */
  private fleetCovers(series: number, key: string, machineId: string, now: number): boolean {
    const alertKey = `fleet|${series}|${key}`;
    const existing = this.result.alerts.get(alertKey);
    const cover = () => (existing ? existing.active || existing.members.has(machineId) : false);

    const movers: Mover[] = [];
    const moverReports = new Map<string, { report: number; after: number }>();
    const controls: ControlMachine[] = [];
    let earliest = Infinity;
    for (const state of this.states.values()) {
      const transitions = state.sim.transitions;
      const i = transitions.findLastIndex((t) => t.key === key && t.report < state.seen);
      const samples = state.samples[series] ?? [];
      if (i < 0) {
        controls.push({
          machineId: state.sim.id,
          samples: present(samples.slice(Math.max(0, state.seen - 2 * WINDOW), state.seen)),
        });
        continue;
      }
      const t = transitions[i] as SimTransition;
      const changedAt = this.changeAt(state, t);
      if (existing && !existing.active && changedAt <= (existing.resolvedAt ?? 0)) continue;
      const previous = transitions.slice(0, i).findLast((x) => !x.inert);
      const from = previous?.report ?? 0;
      const before = present(samples.slice(Math.max(from, t.report - WINDOW), t.report));
      const after = present(samples.slice(t.report, Math.min(state.seen, t.report + WINDOW)));
      earliest = Math.min(earliest, changedAt);
      // Mirrors FleetAlerts.mover: too short a before window, the samples across the previous
      // change judge the mover's membership.
      const earlier =
        before.length < machineOptions.minBefore
          ? present(samples.slice(Math.max(0, t.report - WINDOW), t.report))
          : undefined;
      movers.push({
        machineId: state.sim.id,
        changedAt,
        before,
        after,
        ...(earlier && { earlier }),
      });
      moverReports.set(state.sim.id, { report: t.report, after: state.seen - t.report });
    }
    if (movers.length < 2) return cover();

    const recentControls = controls.map((c) => ({
      ...c,
      samples: c.samples.filter((x) => x.at > earliest - CONTROL_LOOKBACK),
    }));
    const fleet = assessFleet(movers, recentControls, fleetOptions);
    if (!fleet || fleet.kind === 'none') return cover();

    const changedAt = new Map(movers.map((m) => [m.machineId, m.changedAt]));
    // Mirrors FleetAlerts: every mover that moved in the verdict's direction is a member.
    const agreeing = fleetMembers(fleet);
    const members = agreeing.map((m) => ({
      machineId: m.machineId,
      changeAt: changedAt.get(m.machineId) ?? 0,
      afterCount: m.assessment.afterCount,
      since: changedAt.get(m.machineId) ?? 0,
    }));
    if (fleet.kind === 'improvement') {
      const faster = existing ? existing.active || existing.members.has(machineId) : false;
      this.upsert(`${alertKey}|improvement`, {
        scope: 'fleet',
        kind: 'improvement',
        series,
        transitionKey: key,
        members,
        recorded: true,
        now,
      });
      return faster || agreeing.some((m) => m.machineId === machineId);
    }

    this.upsert(alertKey, {
      scope: 'fleet',
      kind: 'regression',
      series,
      transitionKey: key,
      members,
      recorded: false,
      now,
    });
    const alert = this.result.alerts.get(alertKey);
    if (!alert?.active) return cover();
    this.merge(alert, series, key);
    for (const m of agreeing) {
      const r = moverReports.get(m.machineId);
      if (r && alert.members.has(m.machineId)) this.cover(m.machineId, r.report, r.after);
    }
    return true;
  }

  /** Machine alerts for the same transition and series fold into the fleet alert. */
  private merge(fleet: SimAlert, series: number, key: string): void {
    for (const alert of this.result.alerts.values()) {
      if (alert === fleet || !alert.active || alert.scope !== 'machine') continue;
      if (alert.kind !== 'regression' || alert.series !== series || alert.transitionKey !== key)
        continue;
      for (const [id, m] of alert.members) if (!fleet.members.has(id)) fleet.members.set(id, m);
      alert.active = false;
    }
  }

  /** Mirrors upsertAlert: dedupe, members kept resolved, reopening after a resolution. */
  private upsert(
    key: string,
    input: {
      scope: SimAlert['scope'];
      kind: SimAlert['kind'];
      series: number;
      transitionKey: string | null;
      members: MemberInput[];
      recorded: boolean;
      now: number;
    },
  ): 'opened' | 'reopened' | 'updated' | 'unchanged' | 'recorded' {
    const existing = this.result.alerts.get(key);
    const paging = input.kind !== 'improvement';
    if (!existing) {
      this.result.alerts.set(key, {
        scope: input.scope,
        kind: input.kind,
        series: input.series,
        transitionKey: input.transitionKey,
        active: !input.recorded,
        resolvedAt: input.recorded ? input.now : null,
        members: new Map(
          input.members.map((m) => [
            m.machineId,
            { changeAt: m.changeAt, afterCount: m.afterCount, resolvedAt: null },
          ]),
        ),
      });
      if (input.recorded) return 'recorded';
      if (paging) this.page(input.scope, input.members[0]?.machineId ?? null, key, input, false);
      return 'opened';
    }

    const closedAt = existing.active ? null : (existing.resolvedAt ?? input.now);
    const renewed = input.members.filter((m) => {
      const resolvedAt = existing.members.get(m.machineId)?.resolvedAt ?? null;
      if (resolvedAt !== null) return m.since > resolvedAt;
      if (closedAt !== null) return m.since > closedAt;
      return true;
    });
    if (closedAt !== null && (renewed.length === 0 || input.recorded)) return 'unchanged';
    for (const m of renewed) {
      existing.members.set(m.machineId, {
        changeAt: m.changeAt,
        afterCount: m.afterCount,
        resolvedAt: null,
      });
    }
    if (closedAt === null) return 'updated';
    existing.active = true;
    existing.resolvedAt = null;
    if (paging) this.page(input.scope, renewed[0]?.machineId ?? null, key, input, true);
    return 'reopened';
  }

  private page(
    scope: SimAlert['scope'],
    machineId: string | null,
    key: string,
    input: { kind: SimAlert['kind']; series: number; now: number },
    reopened: boolean,
  ): void {
    const pageScope =
      scope === 'fleet' ? 'fleet' : input.kind === 'unattributed' ? 'unattributed' : 'machine';
    this.result.pages.push({
      scope: pageScope,
      machineId,
      key,
      series: input.series,
      at: input.now,
      reopened,
    });
  }

  /** Mirrors Detection.checkResolutions; returns when the latest recovery began. */
  private checkResolutions(
    state: MachineState,
    series: number,
    tail: readonly Sample[],
    now: number,
  ): number {
    let recoveredAt = 0;
    const samples = state.samples[series] ?? [];
    for (const [key, alert] of this.result.alerts) {
      if (alert.series !== series) continue;
      const m = alert.members.get(state.sim.id);
      if (!m) continue;
      if (m.resolvedAt !== null) {
        recoveredAt = Math.max(recoveredAt, m.resolvedAt);
        continue;
      }
      if (!alert.active || alert.kind === 'improvement') continue;

      const gap = alert.kind === 'unattributed' ? shiftOptions.gap : 0;
      const seen = present(samples.slice(0, state.seen));
      const before = seen.filter((x) => x.at < m.changeAt);
      const baseline = before.slice(-(WINDOW + gap), gap > 0 ? -gap : undefined);
      const recent = tail.filter((x) => x.at >= m.changeAt).slice(-RECENT_RUN);
      const firstRecent = recent[0]?.at ?? Infinity;
      const regressed = seen
        .filter((x) => x.at >= m.changeAt)
        .slice(0, Math.min(Math.max(m.afterCount, 1), REGRESSED_WINDOW))
        .filter((x) => x.at < firstRecent);
      const resolution = assessResolution(baseline, regressed, recent, resolutionOptions);
      if (!resolution?.resolved) continue;

      m.resolvedAt = resolution.since;
      recoveredAt = Math.max(recoveredAt, resolution.since);
      this.result.resolutions.push({ machineId: state.sim.id, key, at: now });
      if ([...alert.members.values()].every((x) => x.resolvedAt !== null)) {
        alert.active = false;
        alert.resolvedAt = now;
      }
    }
    return recoveredAt;
  }

  private cover(machineId: string, report: number, after: number): void {
    const key = `${machineId}|${report}`;
    if (!this.result.covered.has(key) && after >= 1) this.result.covered.set(key, after);
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Shape {
  machines: number;
  movers: number;
  /** Fleets per configuration, so that every shape has about the same number of movers. */
  fleets: number;
  updateDay: number;
  label: string;
}

const shapes: Shape[] = [
  { machines: 1, movers: 1, fleets: 120, updateDay: 28, label: '1 machine' },
  { machines: 1, movers: 1, fleets: 120, updateDay: 5, label: '1 machine, 5 days of history' },
  { machines: 4, movers: 2, fleets: 60, updateDay: 28, label: '4 machines, 2 update' },
  { machines: 14, movers: 9, fleets: 14, updateDay: 28, label: '14 machines, 9 update' },
  { machines: 50, movers: 30, fleets: 4, updateDay: 28, label: '50 machines, 30 update' },
];

const baseSpec: FleetSpec = {
  machines: 14,
  days: 42,
  reportsPerDay: 3,
  series: 1,
  cv: 0.1,
  noise: 'iid',
  outlierRate: 0.005,
  backgroundEventDays: 14,
  harmlessUpdateDays: 0,
  update: null,
  silentStep: null,
  outlierAfterEvent: false,
};

interface RecallRow {
  shape: string;
  noise: string;
  cv: number;
  effect: number;
  rollout: string;
  movers: number;
  /** Covered by a machine alert or as a member of the fleet alert within 5 own reports. */
  covered5: number;
  covered: number;
  delay: number | null;
  /** The machine detector alone within 5 reports. */
  machine5: number;
  fleetAlerted: number;
}

function runUpdateScenario(
  shape: Shape,
  noise: NoiseModel,
  cv: number,
  effect: number,
  staggerDays: number,
  fleets: number,
  seed: number,
): RecallRow {
  const rng = new Rng(seed);
  let movers = 0;
  let covered5 = 0;
  let coveredAll = 0;
  let machine5 = 0;
  let fleetAlerted = 0;
  const delays: number[] = [];

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = {
      ...baseSpec,
      machines: shape.machines,
      noise,
      cv,
      update: { day: shape.updateDay, movers: shape.movers, staggerDays, effect },
    };
    const machines = generateFleet(spec, rng);
    const run = new ServerMirror(machines).run();
    if (run.alerts.has(`fleet|0|${UPDATE_KEY}`)) fleetAlerted++;

    for (const m of machines) {
      const t = m.transitions.find((x) => x.key === UPDATE_KEY);
      if (!t) continue;
      movers++;
      const at = run.covered.get(`${m.id}|${t.report}`);
      if (at !== undefined) {
        coveredAll++;
        delays.push(at);
        if (at <= TARGET_REPORTS) covered5++;
      }
      const hit = run.machineHits.get(`${m.id}|${t.report}`);
      if (hit !== undefined && hit <= TARGET_REPORTS) machine5++;
    }
  }

  return {
    shape: shape.label,
    noise,
    cv,
    effect,
    rollout: shape.movers === 1 ? '–' : staggerDays <= 1 ? 'same day' : `over ${staggerDays} days`,
    movers,
    covered5: covered5 / movers,
    covered: coveredAll / movers,
    delay: delays.length ? median(delays) : null,
    machine5: machine5 / movers,
    fleetAlerted: shape.movers > 1 ? fleetAlerted / fleets : NaN,
  };
}

interface ResolutionRow {
  effect: number;
  fix: boolean;
  /** Movers with a regression alert (their own, or their place in the fleet alert). */
  alerted: number;
  /** Fix: resolved within 10 of their own reports after the fix. Without: closed while slow. */
  resolved10: number;
  resolved: number;
  delay: number | null;
}

/**
 * A fix release a week after the update undoes the step on every mover: how soon each machine's
 * part in the alert closes. Without the fix, every closure is wrong (the series is still slow).
 */
function runResolutionScenario(
  effect: number,
  fix: boolean,
  fleets: number,
  seed: number,
): ResolutionRow {
  const rng = new Rng(seed);
  let alerted = 0;
  let resolved = 0;
  let resolved10 = 0;
  const delays: number[] = [];

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = {
      ...baseSpec,
      days: 56,
      update: { day: 28, movers: 9, staggerDays: 1, effect, ...(fix ? { fixDay: 35 } : {}) },
    };
    const machines = generateFleet(spec, rng);
    const run = new ServerMirror(machines).run();
    for (const m of machines) {
      const update = m.events.find((e) => e.key === UPDATE_KEY);
      if (!update) continue;
      const keys = [...run.alerts.entries()]
        .filter(
          ([key, a]) =>
            a.kind === 'regression' &&
            a.members.has(m.id) &&
            (key.includes(UPDATE_KEY) || key.startsWith(`machine|${m.id}|`)),
        )
        .map(([key]) => key);
      if (keys.length === 0) continue;
      alerted++;
      const closed = run.resolutions.find((r) => r.machineId === m.id && keys.includes(r.key));
      if (!closed) continue;
      resolved++;
      const from = fix ? (m.events.find((e) => e.key === FIX_KEY)?.at ?? update.at) : update.at;
      const delay = m.times.filter((t) => t >= from && t <= closed.at).length;
      delays.push(delay);
      if (!fix || delay <= 10) resolved10++;
    }
  }
  return {
    effect,
    fix,
    alerted,
    resolved10: alerted ? resolved10 / alerted : 0,
    resolved: alerted ? resolved / alerted : 0,
    delay: delays.length ? median(delays) : null,
  };
}

interface FalseAlarmRow {
  noise: string;
  cv: number;
  series: number;
  machineWeeks: number;
  machine: number;
  fleet: number;
  unattributed: number;
}

/**
 * Every page is false: harmless events (half of them inert) every 14 days per machine, a harmless
 * Docker Desktop release every 28 days to 60% of the fleet, 10× builds sprinkled in, and every
 * series of a full benchmark run tested after every report.
 */
function runNoChangeScenario(
  noise: NoiseModel,
  cv: number,
  fleets: number,
  seed: number,
): FalseAlarmRow {
  const rng = new Rng(seed);
  const days = 182;
  const series = 12;
  const counts = { machine: 0, fleet: 0, unattributed: 0 };

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = { ...baseSpec, cv, noise, days, series, harmlessUpdateDays: 28 };
    const run = new ServerMirror(generateFleet(spec, rng)).run();
    for (const p of run.pages) counts[p.scope]++;
  }

  const machineWeeks = (fleets * baseSpec.machines * days) / 7;
  return {
    noise,
    cv,
    series,
    machineWeeks,
    machine: (1000 * counts.machine) / machineWeeks,
    fleet: (1000 * counts.fleet) / machineWeeks,
    unattributed: (1000 * counts.unattributed) / machineWeeks,
  };
}

interface SilentRow {
  cv: number;
  effect: number;
  found10: number;
  found: number;
  delay: number | null;
  early: number;
}

function runSilentStepScenario(
  cv: number,
  effect: number,
  fleets: number,
  seed: number,
): SilentRow {
  const rng = new Rng(seed);
  let steps = 0;
  let found = 0;
  let found10 = 0;
  let early = 0;
  const delays: number[] = [];

  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = {
      ...baseSpec,
      cv,
      backgroundEventDays: 0,
      silentStep: { fromDay: 14, toDay: 28, effect },
    };
    const machines = generateFleet(spec, rng);
    const run = new ServerMirror(machines).run();
    for (const m of machines) {
      const stepAt = m.silentStepAt ?? Infinity;
      steps++;
      const alerts = run.unattributed.filter((a) => a.machineId === m.id);
      early += alerts.filter((a) => a.at < stepAt).length;
      const hit = alerts.find((a) => a.at >= stepAt);
      if (!hit) continue;

      const delay = m.times.filter((t) => t >= stepAt && t <= hit.at).length;
      found++;
      if (delay <= 10) found10++;
      delays.push(delay);
    }
  }

  return {
    cv,
    effect,
    found10: found10 / steps,
    found: found / steps,
    delay: delays.length ? median(delays) : null,
    early,
  };
}

/**
 * Each machine that takes a harmless update gets one 10× build right after it. The same fleet is
 * run again without that build (same seed, same noise, that report carrying no sample): only
 * pages that the outlier added count, so the rare false alarm that noise alone raises is not
 * blamed on the outlier.
 */
function runOutlierScenario(
  cv: number,
  fleets: number,
  seed: number,
): { cv: number; added: number } {
  let added = 0;
  for (let f = 0; f < fleets; f++) {
    const spec: FleetSpec = {
      ...baseSpec,
      cv,
      outlierRate: 0,
      backgroundEventDays: 0,
      update: { day: 28, movers: 9, staggerDays: 1, effect: 0 },
      outlierAfterEvent: 'tenfold',
    };
    const withOutlier = new ServerMirror(generateFleet(spec, new Rng(seed * 1000 + f))).run();
    const clean = new ServerMirror(
      generateFleet({ ...spec, outlierAfterEvent: 'absent' }, new Rng(seed * 1000 + f)),
    ).run();
    const seen = new Set(clean.pages.map((p) => p.key));
    added += withOutlier.pages.filter((p) => !seen.has(p.key)).length;
  }
  return { cv, added };
}

// ---------------------------------------------------------------------------------------------
// The tables

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function pct(value: number | null): string {
  return value === null || Number.isNaN(value) ? '–' : `${(100 * value).toFixed(0)}%`;
}

function num(value: number | null, digits = 1): string {
  return value === null ? '–' : value.toFixed(digits);
}

function table(header: string[], rows: string[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => ' --- ').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL';
}

/** The recall target applies to +20% at 10% noise; other rows are information. */
function recallTarget(r: RecallRow): string {
  if (r.noise !== 'iid' || r.cv !== 0.1 || r.effect !== 0.2) return '';
  return verdict(r.covered5 >= TARGET_RECALL);
}

type Task =
  | { type: 'none'; noise: NoiseModel; cv: number; fleets: number; seed: number }
  | { type: 'outlier'; cv: number; fleets: number; seed: number }
  | {
      type: 'update';
      shape: number;
      noise: NoiseModel;
      cv: number;
      effect: number;
      stagger: number;
      fleets: number;
      seed: number;
    }
  | { type: 'silent'; cv: number; effect: number; fleets: number; seed: number }
  | { type: 'resolution'; effect: number; fix: boolean; fleets: number; seed: number };

type TaskResult =
  | { type: 'none'; row: FalseAlarmRow }
  | { type: 'outlier'; row: { cv: number; added: number } }
  | { type: 'update'; row: RecallRow }
  | { type: 'silent'; row: SilentRow }
  | { type: 'resolution'; row: ResolutionRow };

function runTask(task: Task): TaskResult {
  switch (task.type) {
    case 'none':
      return {
        type: 'none',
        row: runNoChangeScenario(task.noise, task.cv, task.fleets, task.seed),
      };
    case 'outlier':
      return { type: 'outlier', row: runOutlierScenario(task.cv, task.fleets, task.seed) };
    case 'update':
      return {
        type: 'update',
        row: runUpdateScenario(
          shapes[task.shape] as Shape,
          task.noise,
          task.cv,
          task.effect,
          task.stagger,
          task.fleets,
          task.seed,
        ),
      };
    case 'resolution':
      return {
        type: 'resolution',
        row: runResolutionScenario(task.effect, task.fix, task.fleets, task.seed),
      };
    case 'silent':
      return {
        type: 'silent',
        row: runSilentStepScenario(task.cv, task.effect, task.fleets, task.seed),
      };
  }
}

function plan(seed: number, quick: boolean, wanted: (name: string) => boolean): Task[] {
  const scale = quick ? 0.25 : 1;
  const fleets = (n: number) => Math.max(2, Math.round(n * scale));
  const tasks: Task[] = [];
  // Seeds advance the same way whichever scenarios run, so a partial run repeats the full one.
  let s = seed;
  const add = (task: Task) => {
    if (!wanted(task.type)) return;
    if (process.env['DF_TASKS'] && !new RegExp(process.env['DF_TASKS']).test(JSON.stringify(task)))
      return;
    tasks.push(task);
  };

  const noChangeCases: [NoiseModel, number][] = [
    ['iid', 0.05],
    ['iid', 0.1],
    ['iid', 0.2],
    ['ar1', 0.1],
    ['ar1', 0.2],
    ['bimodal', 0.1],
  ];
  for (const [noise, cv] of noChangeCases) {
    add({ type: 'none', noise, cv, fleets: fleets(15), seed: s++ });
  }
  for (const cv of [0.05, 0.1, 0.2]) add({ type: 'outlier', cv, fleets: fleets(20), seed: s++ });
  shapes.forEach((shape, index) => {
    for (const cv of [0.05, 0.1, 0.2]) {
      for (const effect of [0.05, 0.1, 0.2, 0.35, 0.6]) {
        for (const stagger of shape.movers === 1 ? [1] : [1, 7]) {
          const f = fleets(shape.fleets);
          add({
            type: 'update',
            shape: index,
            noise: 'iid',
            cv,
            effect,
            stagger,
            fleets: f,
            seed: s++,
          });
        }
      }
    }
  });
  for (const noise of ['ar1', 'bimodal'] as const) {
    for (const effect of [0.2, 0.35]) {
      const f = fleets((shapes[3] as Shape).fleets);
      add({ type: 'update', shape: 3, noise, cv: 0.1, effect, stagger: 1, fleets: f, seed: s++ });
    }
  }
  for (const cv of [0.05, 0.1, 0.2]) {
    for (const effect of [0.2, 0.35, 0.6]) {
      add({ type: 'silent', cv, effect, fleets: fleets(20), seed: s++ });
    }
  }
  for (const effect of [0.2, 0.35]) {
    for (const fix of [true, false]) {
      add({ type: 'resolution', effect, fix, fleets: fleets(20), seed: s++ });
    }
  }
  return tasks;
}

/** Runs the tasks on `jobs` worker threads (each a whole scenario row), results in task order. */
async function runAll(tasks: readonly Task[], jobs: number): Promise<TaskResult[]> {
  if (jobs <= 1) return tasks.map(runTask);

  const results: TaskResult[] = new Array<TaskResult>(tasks.length);
  let next = 0;
  const worker = async () => {
    // Worker threads do not inherit tsx's loader on Node 20: each registers it, then loads this file.
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
    const thread = new Worker(bootstrap, { eval: true, env: process.env });
    try {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await new Promise<TaskResult>((resolve, reject) => {
          thread.once('error', reject);
          thread.once('message', (result: TaskResult) => {
            thread.off('error', reject);
            resolve(result);
          });
          thread.postMessage(tasks[index]);
        });
      }
    } finally {
      await thread.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const seedArg = args.indexOf('--seed');
  const seed = seedArg >= 0 ? Number(args[seedArg + 1]) : 20240601;
  const jobsArg = args.indexOf('--jobs');
  const jobs = jobsArg >= 0 ? Number(args[jobsArg + 1]) : availableParallelism();
  const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '') : '';
  const wanted = (name: string) => only === '' || only.split(',').includes(name);
  const started = Date.now();

  const results = await runAll(plan(seed, quick, wanted), jobs);
  const noChange = results.flatMap((r) => (r.type === 'none' ? [r.row] : []));
  const outliers = results.flatMap((r) => (r.type === 'outlier' ? [r.row] : []));
  const recall = results.flatMap((r) => (r.type === 'update' ? [r.row] : []));
  const silent = results.flatMap((r) => (r.type === 'silent' ? [r.row] : []));
  const resolutions = results.flatMap((r) => (r.type === 'resolution' ? [r.row] : []));

  if (noChange.length) {
    console.log(
      'False alarms on no-change data, per 1,000 machine-weeks (all series of a machine):\n',
    );
    table(
      [
        'noise',
        'CV',
        'series',
        'machine-weeks',
        'machine',
        'fleet',
        'unattributed',
        'total',
        `≤ ${TARGET_FALSE_ALARMS}`,
      ],
      noChange.map((r) => {
        const total = r.machine + r.fleet + r.unattributed;
        return [
          r.noise,
          pct(r.cv),
          String(r.series),
          r.machineWeeks.toFixed(0),
          num(r.machine, 2),
          num(r.fleet, 2),
          num(r.unattributed, 2),
          num(total, 2),
          verdict(total <= TARGET_FALSE_ALARMS),
        ];
      }),
    );
  }
  if (outliers.length) {
    console.log('Pages added by one 10× build right after a harmless update (9 of 14 machines):\n');
    table(
      ['CV', 'pages added', 'none'],
      outliers.map((r) => [pct(r.cv), String(r.added), verdict(r.added === 0)]),
    );
  }
  if (recall.length) {
    console.log(
      'Update step: share of the machines that took it covered (machine alert, or member of',
    );
    console.log('the fleet alert) within 5 of their own reports after the change:\n');
    table(
      [
        'fleet',
        'noise',
        'CV',
        'effect',
        'rollout',
        'movers',
        'covered ≤5',
        'covered',
        'delay',
        'machine alone ≤5',
        'fleet alerted',
        `≥ ${pct(TARGET_RECALL)}`,
      ],
      recall.map((r) => [
        r.shape,
        r.noise,
        pct(r.cv),
        `+${(100 * r.effect).toFixed(0)}%`,
        r.rollout,
        String(r.movers),
        pct(r.covered5),
        pct(r.covered),
        num(r.delay, 0),
        pct(r.machine5),
        pct(r.fleetAlerted),
        recallTarget(r),
      ]),
    );
  }
  if (silent.length) {
    console.log('Silent step (no event), 14 machines, found by the level-shift detector:\n');
    table(
      ['CV', 'effect', 'found ≤10', 'found', 'delay', 'pages before the step'],
      silent.map((r) => [
        pct(r.cv),
        `+${(100 * r.effect).toFixed(0)}%`,
        pct(r.found10),
        pct(r.found),
        num(r.delay, 0),
        String(r.early),
      ]),
    );
  }

  if (resolutions.length) {
    console.log(
      'Resolution, 14 machines, 9 update the same day (10% noise); a fix release a week later',
    );
    console.log('or none. With the fix: share of alerted machines closed within 10 reports of it.');
    console.log('Without: share closed although the series is still slow (every one is wrong):\n');
    table(
      ['effect', 'fix', 'alerted machines', 'closed ≤10 / wrongly', 'closed', 'delay'],
      resolutions.map((r) => [
        `+${(100 * r.effect).toFixed(0)}%`,
        r.fix ? 'yes' : 'no',
        String(r.alerted),
        pct(r.resolved10),
        pct(r.resolved),
        num(r.delay, 0),
      ]),
    );
  }
  console.log(
    `seed ${seed}${quick ? ' (quick)' : ''}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(
    JSON.stringify({
      machine: machineOptions,
      fleet: fleetOptions,
      shift: shiftOptions,
      resolution: resolutionOptions,
    }),
  );
}

if (isMainThread) {
  await main();
} else {
  parentPort?.on('message', (task: Task) => parentPort?.postMessage(runTask(task)));
}
