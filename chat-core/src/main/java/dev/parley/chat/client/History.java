package dev.parley.chat.client;

/**
 * Which part of a conversation {@link ChatSession#history} reads: the latest messages, the ones before
 * a seq, or the ones after a seq, at most {@link #limit()} of them. Immutable.
 *
 * <pre>{@code session.history("lobby", History.before(ack.seq()).limit(50))}</pre>
 */
public final class History {
    private final long before;
    private final long after;
    private final int limit;

    private History(long before, long after, int limit) {
        this.before = before;
        this.after = after;
        this.limit = limit;
    }

    /** The latest messages of the conversation. */
    public static History latest() {
        return new History(0, -1, 0);
    }

    /**
     * The messages right before {@code seq} (newest ones with a smaller seq).
     *
     * @throws IllegalArgumentException if {@code seq} is less than 1
     */
    public static History before(long seq) {
        if (seq < 1) {
            throw new IllegalArgumentException("before must be at least 1, was " + seq);
        }
        return new History(seq, -1, 0);
    }

    /**
     * The messages right after {@code seq} (oldest ones with a larger seq); {@code after(0)} reads from
     * the first message.
     *
     * @throws IllegalArgumentException if {@code seq} is negative
     */
    public static History after(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("after must be at least 0, was " + seq);
        }
        return new History(0, seq, 0);
    }

    /**
     * A copy that reads at most {@code n} messages (the server clamps large values, by default to 500).
     *
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public History limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + n);
        }
        return new History(before, after, n);
    }

    /** The {@code before} seq, or 0 when not reading before a seq. */
    public long before() {
        return before;
    }

    /** The {@code after} seq, or -1 when not reading after a seq. */
    public long after() {
        return after;
    }

    /** The limit, or 0 for the server's default (50). */
    public int limit() {
        return limit;
    }
}
