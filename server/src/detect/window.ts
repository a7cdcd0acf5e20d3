/** One timed value of a series (`samples` row): when it was measured and how long it took. */
export interface Sample {
  at: number;
  valueMs: number;
}

/** Values of the last `max` samples: the ones nearest a change that follows them. */
export function nearestBefore(samples: readonly Sample[], max: number): number[] {
  return chronological(samples)
    .slice(-max)
    .map((s) => s.valueMs);
}

/** Values of the first `max` samples: the ones nearest a change that precedes them. */
export function nearestAfter(samples: readonly Sample[], max: number): number[] {
  return chronological(samples)
    .slice(0, max)
    .map((s) => s.valueMs);
}

/** The samples in time order; the common case (already ordered, as queries return them) is a scan. */
export function chronological(samples: readonly Sample[]): readonly Sample[] {
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i]?.at ?? 0) < (samples[i - 1]?.at ?? 0)) {
      return [...samples].sort((a, b) => a.at - b.at);
    }
  }
  return samples;
}
