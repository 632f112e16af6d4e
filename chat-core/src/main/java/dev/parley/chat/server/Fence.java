package dev.parley.chat.server;

/**
 * Whether this node is fenced by its cluster ({@link dev.parley.chat.server.spi.Node#fence}): while
 * it is, nothing new is published or joined and new connections are turned away.
 */
final class Fence {
    private volatile String reason;

    void raise(String why) {
        reason = why == null ? "fenced" : why;
    }

    void lower() {
        reason = null;
    }

    boolean up() {
        return reason != null;
    }

    /** Throws if fenced: called before anything is published or joined. */
    void check() {
        String r = reason;
        if (r != null) {
            throw new dev.parley.chat.store.StoreException("this node is fenced by its cluster: " + r);
        }
    }
}
