package dev.parley.chat.net.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one WARN line through per interval and counts the ones held back, so that a flood of
 * refusals (an attacker opening sockets as fast as it can) costs a log line every few seconds,
 * not one per socket. Thread safe, lock free.
 */
public final class WarnLimiter {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** When the next line may go out (nanoClock time); {@code Long.MIN_VALUE}: now. */
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    /** A limiter on {@link System#nanoTime()}. */
    public WarnLimiter(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** A limiter on the given clock (nanoseconds, like {@link System#nanoTime()}). */
    public WarnLimiter(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Whether a line may go out now: if so, returns how many were held back since the last one that
     * went out (0 or more); if not, counts this one as held back and returns -1.
     */
    public long tryAcquire() {
        long now = nanoClock.getAsLong();
        long next = nextAllowed.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && nextAllowed.compareAndSet(next, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
