package dev.parley.chat.client.internal;

import dev.parley.chat.protocol.ServerMessage;

/**
 * The client's side of the server's rate limit: a token bucket a little smaller and slower than the
 * one {@code WELCOME} announced, so that what the writer sends never reaches the server faster than
 * it accepts, even when the network delivers a burst late. Without it, a resume plan longer than the
 * server's burst (100 rooms to rejoin, then DM catch-ups), or an application that sends a few hundred
 * messages at once, would have frames refused with {@code RATE_LIMITED}, which carries no ref: the
 * requests would only time out.
 *
 * <p>Pure arithmetic on a nanosecond clock the caller passes in; used by the writer thread only.
 */
final class Pacer {
    /** The share of the server's burst the client uses: the rest absorbs network jitter. */
    private static final double BURST_SHARE = 0.8;
    /** The share of the server's sustained rate the client uses. */
    private static final double RATE_SHARE = 0.9;

    /** No limit: every frame may go at once (no WELCOME yet, or a server that announced none). */
    static final Pacer UNLIMITED = new Pacer(Double.POSITIVE_INFINITY, 0, 0);

    private final double capacity;
    private final double nanosPerToken;
    private double tokens;
    private long refilledAt;

    private Pacer(double capacity, double nanosPerToken, long now) {
        this.capacity = capacity;
        this.nanosPerToken = nanosPerToken;
        this.tokens = capacity;
        this.refilledAt = now;
    }

    /**
     * The pacer for a server's announced limit, full at {@code now} but for the {@code HELLO} that the
     * server already counted; {@link #UNLIMITED} for {@code null} or a limit without a sustained rate.
     */
    static Pacer of(ServerMessage.RateLimit limit, long now) {
        if (limit == null || limit.refillMicros() == 0) {
            return UNLIMITED;
        }
        double capacity = Math.max(1, Math.floor(limit.burst() * BURST_SHARE));
        Pacer p = new Pacer(capacity, limit.refillMicros() * 1000d / RATE_SHARE, now);
        p.tokens = capacity - 1;
        return p;
    }

    /** Takes one frame's token if there is one at {@code now}. */
    boolean tryTake(long now) {
        if (nanosPerToken == 0) {
            return true;
        }
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** How long from {@code now} until a token is there (0 if one is). */
    long nanosUntilToken(long now) {
        if (nanosPerToken == 0) {
            return 0;
        }
        refill(now);
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * nanosPerToken);
    }

    private void refill(long now) {
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed / nanosPerToken);
            refilledAt = now;
        }
    }
}
