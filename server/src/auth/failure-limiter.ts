import { DevfleetError } from '../errors.js';

// Addresses remembered at most: a flood of spoofed sources cannot grow the map without bound.
const MAX_ADDRESSES = 10_000;

/**
 * Counts failed credentials (unknown machine keys, wrong enrollment secrets) per client address
 * and refuses an address with 429 once it failed `max` times within a window. Successes cost
 * nothing and are never limited: a script enrolling a hundred machines is not an attacker, one
 * trying keys is. Each server process counts for itself.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Throws DEVFLEET_RATE_LIMITED while the address is over its failures. */
  check(address: string, now = Date.now()): void {
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= now || entry.count < this.max) return;
    const error = new DevfleetError(
      'DEVFLEET_RATE_LIMITED',
      'Too many failed attempts: retry later',
    );
    error.retryAfterSeconds = Math.ceil((entry.resetAt - now) / 1000);
    throw error;
  }

  fail(address: string, now = Date.now()): void {
    const entry = this.failures.get(address);
    if (entry && entry.resetAt > now) {
      entry.count += 1;
      return;
    }
    if (this.failures.size >= MAX_ADDRESSES) this.forgetExpired(now);
    this.failures.set(address, { count: 1, resetAt: now + this.windowMs });
  }

  private forgetExpired(now: number): void {
    for (const [address, entry] of this.failures) {
      if (entry.resetAt <= now) this.failures.delete(address);
    }
    // Still full: the oldest go, which is what a flood of new addresses deserves.
    for (const address of this.failures.keys()) {
      if (this.failures.size < MAX_ADDRESSES) break;
      this.failures.delete(address);
    }
  }
}
