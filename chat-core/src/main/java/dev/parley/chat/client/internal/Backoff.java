package dev.parley.chat.client.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the wait before attempt {@code n} (from 0) is uniformly random
 * in {@code [0, min(max, base * 2^n)]}. Randomising the whole interval spreads clients that lost their
 * server at the same instant, so they do not all come back at the same instant.
 */
public final class Backoff {
    private final long baseNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    /** A backoff with this base, cap and source of randomness. */
    public Backoff(Duration base, Duration max, RandomGenerator random) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The upper bound of the wait before attempt {@code attempt}. */
    public long ceilingNanos(int attempt) {
        int shift = Math.min(Math.max(attempt, 0), 62);
        long ceiling = baseNanos << shift;
        if (ceiling >>> shift != baseNanos || ceiling < 0) {
            ceiling = maxNanos; // overflowed
        }
        return Math.min(maxNanos, ceiling);
    }

    /** A random wait before attempt {@code attempt}, in nanoseconds. */
    public long delayNanos(int attempt) {
        return random.nextLong(ceilingNanos(attempt) + 1);
    }
}
