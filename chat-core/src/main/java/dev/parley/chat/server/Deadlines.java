package dev.parley.chat.server;

/**
 * One connection's deadlines on the server's {@link Ticker}: the handshake (HELLO in time), the idle
 * ping and its answer, a write that stalls, and the close deadline (how long the last frames may take
 * to drain). The reader thread reports inbound traffic with {@link #inbound}; the reaper thread asks
 * {@link #check} what is due and acts on the answer. Fields shared by the two are volatile. The reaper
 * marks a PING outstanding and the reader clears the mark; in a race the worst outcome is one PING
 * more, or a timeout measured from a PING the client has already answered once more (it answers
 * again). The close deadline is set once, by whichever thread closes the connection.
 */
final class Deadlines {
    /** What the reaper must do for a connection now. */
    enum Due {
        NOTHING,
        /** Send {@code PING token=p<n>} ({@link #pingToken}). */
        PING,
        /** No HELLO within the handshake timeout: {@code TIMEOUT}. */
        HANDSHAKE_TIMEOUT,
        /** No frame within the ping timeout after our PING: {@code TIMEOUT}. */
        PING_TIMEOUT,
        /** The writer has been stuck in one write past the write timeout: {@code SLOW_CONSUMER}. */
        WRITE_STALLED,
        /** Closing, and the last frames did not drain in time: close the connection now. */
        CLOSE_NOW
    }

    /**
     * The timeouts, the same for every connection of a server: shared, so that a connection keeps only
     * its own times.
     */
    record Timeouts(Ticker ticker, long handshakeNanos, long pingIntervalNanos, long pingTimeoutNanos,
            long writeTimeoutNanos) {
        Timeouts(Ticker ticker, Settings s) {
            this(ticker, Hub.nanos(s.handshakeTimeout()), Hub.nanos(s.pingInterval()), Hub.nanos(s.pingTimeout()),
                    Hub.nanos(s.writeTimeout()));
        }
    }

    private final Timeouts t;
    private final long connectedNanos;
    private volatile long lastInboundNanos;
    private volatile long pingSentNanos;
    private volatile boolean pingOutstanding;
    private volatile long closeDeadlineNanos;
    private volatile boolean closing;
    /**
     * The token of the last PING sent whose PONG has not come yet, or null: set by the reaper, cleared
     * by the reader when the PONG comes ({@link #answeredPing}). Only that PONG is free of the rate limit.
     */
    private volatile String awaitedPong;
    /** Reaper only. */
    private long pings;

    Deadlines(Ticker ticker, long handshakeNanos, long pingIntervalNanos, long pingTimeoutNanos, long writeTimeoutNanos) {
        this(new Timeouts(ticker, handshakeNanos, pingIntervalNanos, pingTimeoutNanos, writeTimeoutNanos));
    }

    Deadlines(Timeouts timeouts) {
        this.t = timeouts;
        this.connectedNanos = timeouts.ticker().nanoTime();
        this.lastInboundNanos = connectedNanos;
    }

    /** Reader: a line arrived (any line is a sign of life and answers a pending PING). */
    void inbound() {
        lastInboundNanos = t.ticker().nanoTime();
        pingOutstanding = false;
    }

    /**
     * Reader: whether a PONG with this token answers the PING outstanding now; true once per PING. Such
     * a PONG costs no rate-limit token; any other PONG does (a PONG flood is a flood).
     */
    boolean answeredPing(String token) {
        String awaited = awaitedPong;
        if (awaited == null || !awaited.equals(token)) {
            return false;
        }
        awaitedPong = null;
        return true;
    }

    /** The connection is closing: its last frames have until {@code drainNanos} from now. Idempotent. */
    void closing(long drainNanos) {
        if (!closing) {
            closeDeadlineNanos = t.ticker().nanoTime() + drainNanos;
            closing = true;
        }
    }

    /**
     * Reaper: what is due at {@code now}.
     *
     * @param registered whether the connection completed HELLO
     * @param stalledNanos how long the writer has been in its current write (0 if not writing)
     */
    Due check(long now, boolean registered, long stalledNanos) {
        if (closing) {
            return now - closeDeadlineNanos > 0 ? Due.CLOSE_NOW : Due.NOTHING;
        }
        if (stalledNanos > t.writeTimeoutNanos()) {
            return Due.WRITE_STALLED;
        }
        if (!registered) {
            return now - connectedNanos > t.handshakeNanos() ? Due.HANDSHAKE_TIMEOUT : Due.NOTHING;
        }
        if (pingOutstanding) {
            return now - pingSentNanos > t.pingTimeoutNanos() ? Due.PING_TIMEOUT : Due.NOTHING;
        }
        if (now - lastInboundNanos > t.pingIntervalNanos()) {
            pingSentNanos = now;
            pingOutstanding = true;
            pings++;
            awaitedPong = pingToken();
            return Due.PING;
        }
        return Due.NOTHING;
    }

    /** The token of the PING that {@link #check} just asked for. */
    String pingToken() {
        return "p" + pings;
    }
}
