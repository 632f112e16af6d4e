package dev.parley.chat.net.internal;

import java.util.function.LongSupplier;

/**
 * How many ping and pong frames a WebSocket client may send: a token bucket. The server sends no
 * WebSocket pings, so no client pong answers anything, and every client ping costs a pong write;
 * neither reaches the server's rate limit, which counts protocol lines. Browsers send neither; a
 * client keeping its connection alive with a ping every few seconds never comes near the limit.
 * Used by the connection's reader thread only.
 */
public final class ControlFrameBudget {
    /** Frames allowed at once. */
    public static final int BURST = 100;
    /** Frames allowed per second on average. */
    public static final int PER_SECOND = 10;

    private static final long NANOS_PER_FRAME = 1_000_000_000L / PER_SECOND;

    private final LongSupplier nanoClock;
    private double tokens = BURST;
    private long last;

    /** A budget on {@link System#nanoTime()}. */
    public ControlFrameBudget() {
        this(System::nanoTime);
    }

    /** A budget on this clock (nanoseconds). */
    public ControlFrameBudget(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.last = nanoClock.getAsLong();
    }

    /** Takes one frame from the budget; false if it is used up (the client must be closed). */
    public boolean take() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(BURST, tokens + (double) (now - last) / NANOS_PER_FRAME);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens--;
        return true;
    }
}
