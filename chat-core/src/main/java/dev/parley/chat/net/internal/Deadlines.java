package dev.parley.chat.net.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Absolute deadlines for handshakes (TLS, WebSocket upgrade): a socket timeout restarts with every
 * byte read, so a peer trickling one byte at a time would never hit it; a deadline from here fires
 * once, at a fixed time, whatever the peer sends.
 *
 * <p>One daemon platform thread, shared by every transport in the JVM and started with the first
 * deadline, keeps the timer; the action itself runs on a new virtual thread, so an action that blocks
 * (closing a TLS socket) never holds up the others. A cancelled deadline is removed at once.
 */
public final class Deadlines {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Deadlines() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().name("parley-deadlines").daemon(true).unstarted(r));
        t.setRemoveOnCancelPolicy(true);
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return t;
    }

    /** A deadline that has not fired yet can be cancelled; cancelling twice or after it fired does nothing. */
    public interface Deadline {
        /** Cancels the deadline. */
        void cancel();
    }

    /** Runs {@code action} on a new virtual thread after {@code delay}, unless cancelled first. */
    public static Deadline after(Duration delay, String name, Runnable action) {
        ScheduledFuture<?> f = TIMER.schedule(() -> {
            Thread.ofVirtual().name(name).start(action);
        }, Math.max(1, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }
}
