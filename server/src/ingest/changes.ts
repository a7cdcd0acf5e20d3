import type { Facts } from './facts.js';

export type KnownState = Record<string, string>;

export interface FieldChange {
  field: string;
  from: string | null;
  to: string | null;
}

/**
 * Compares a report's facts with what was last known of the machine. A fact the report cannot
 * tell (daemon down, no WSL output) is not a change: an unknown value says nothing about whether
 * Docker Desktop was updated, and "4.37.1 → unknown" would raise false events. Keys under a scope
 * the report speaks for (`wslconfig.`) but does not list were removed: that is a change to null.
 */
export function diffFacts(
  known: KnownState,
  facts: Facts,
  scopes: string[] = [],
): { changes: FieldChange[]; known: KnownState } {
  const next: KnownState = { ...known };
  const changes: FieldChange[] = [];

  for (const [field, value] of Object.entries(facts)) {
    const previous = known[field];
    if (value === null) {
      if (previous !== undefined) changes.push({ field, from: previous, to: null });
      delete next[field];
      continue;
    }
    // The first sighting of a fact is the baseline, not an event.
    if (previous !== undefined && previous !== value)
      changes.push({ field, from: previous, to: value });
    next[field] = value;
  }

  for (const field of Object.keys(known)) {
    if (field in facts) continue;
    if (!scopes.some((scope) => field.startsWith(scope))) continue;
    changes.push({ field, from: known[field] ?? null, to: null });
    delete next[field];
  }

  return { changes, known: next };
}
