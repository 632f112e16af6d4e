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

    /**
     * The limits, the same for every connection of a server: shared, so that a connection keeps only
     * its own bucket.
     */
    record Policy(Ticker ticker, double perSecond, int burst, int floodRefusals, long floodWindowNanos) {
    }

    private final Policy p;
    private double tokens;
    private long refilledNanos;
    /** When the last refusals happened, as a ring; allocated at the first refusal. */
    private long[] refusals;
    private int refusalCount;

    RateLimiter(Ticker ticker, double perSecond, int burst, int floodRefusals, long floodWindowNanos) {
        this(new Policy(ticker, perSecond, burst, floodRefusals, floodWindowNanos));
    }

    RateLimiter(Policy policy) {
        this.p = policy;
        this.tokens = policy.burst();
        this.refilledNanos = policy.ticker().nanoTime();
    }

    /** Takes a token for one line. */
    Verdict take() {
        long now = p.ticker().nanoTime();
        tokens = Math.min(p.burst(), tokens + (now - refilledNanos) * p.perSecond() / 1e9);
        refilledNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.PASS;
        }
        if (refusals == null) {
            refusals = new long[p.floodRefusals()];
        }
        refusals[refusalCount % refusals.length] = now;
        refusalCount++;
        if (refusalCount >= refusals.length) {
            long oldest = refusals[refusalCount % refusals.length];
            if (now - oldest <= p.floodWindowNanos()) {
                return Verdict.FLOOD;
            }
        }
        return Verdict.REFUSE;
    }
}
