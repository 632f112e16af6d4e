package dev.parley.chat.server;

/**
 * One connection's rate limit: a token bucket ({@code perSecond} sustained, {@code burst} at once)
 * and the flood rule ({@code floodRefusals} refused lines within {@code floodWindowNanos} close the
 * connection). Used by the connection's reader thread only; not thread safe.
 */
final class RateLimiter {
    /** What to do with one line. */
    enum Verdict {
        /** Read it. */
        PASS,
        /** Refuse it with {@code RATE_LIMITED} (no ref: it is not read). */
        REFUSE,
        /** Refuse it and close the connection ({@code BYE reason=flood}). */
        FLOOD
    }

    private final Ticker ticker;
    private final double perSecond;
    private final int burst;
    private final int floodRefusals;
    private final long floodWindowNanos;
    private double tokens;
    private long refilledNanos;
    /** When the last refusals happened, as a ring; allocated at the first refusal. */
    private long[] refusals;
    private int refusalCount;

    RateLimiter(Ticker ticker, double perSecond, int burst, int floodRefusals, long floodWindowNanos) {
        this.ticker = ticker;
        this.perSecond = perSecond;
        this.burst = burst;
        this.floodRefusals = floodRefusals;
        this.floodWindowNanos = floodWindowNanos;
        this.tokens = burst;
        this.refilledNanos = ticker.nanoTime();
    }

    /** Takes a token for one line. */
    Verdict take() {
        long now = ticker.nanoTime();
        tokens = Math.min(burst, tokens + (now - refilledNanos) * perSecond / 1e9);
        refilledNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.PASS;
        }
        if (refusals == null) {
            refusals = new long[floodRefusals];
        }
        refusals[refusalCount % refusals.length] = now;
        refusalCount++;
        if (refusalCount >= refusals.length) {
            long oldest = refusals[refusalCount % refusals.length];
            if (now - oldest <= floodWindowNanos) {
                return Verdict.FLOOD;
            }
        }
        return Verdict.REFUSE;
    }
}
