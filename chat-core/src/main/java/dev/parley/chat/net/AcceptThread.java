package dev.parley.chat.net;

import java.time.Duration;

/** What the listening transports share about the platform thread that accepts their connections. */
final class AcceptThread {
    /** How long closing a binding waits for its accepting thread. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

    private AcceptThread() {
    }

    /**
     * Called by a binding's {@code close()} after it closed its listening socket. The kernel keeps
     * listening until the accepting thread has left {@code accept()}: wait for it (unless the caller is
     * that thread), so that no connection is accepted after {@code close()} returns.
     */
    static void awaitExit(Thread thread) {
        if (thread == null || Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(EXIT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
