package dev.parley.chat.client.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer thread of a session: request timeouts and the idle watchdog. A
 * {@link ScheduledThreadPoolExecutor} on one virtual thread that removes a cancelled task from its
 * queue at once, so a request answered in time leaves nothing behind (a busy client used to keep a
 * dead timer per request on the common pool until it expired).
 */
final class TimerThread implements Scheduler {
    private static final Logger log = LoggerFactory.getLogger(TimerThread.class);
    private static final Cancellable NONE = () -> {
    };

    private final ScheduledThreadPoolExecutor executor;

    /** A timer thread with this name; it starts with the first task. */
    TimerThread(String name) {
        executor = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name(name).factory());
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        try {
            ScheduledFuture<?> f = executor.schedule(() -> run(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            return NONE; // shut down: the session is closed and nothing needs timing any more
        }
    }

    /** How many tasks wait to run: one per pending request plus one watchdog per connection. */
    int pending() {
        return executor.getQueue().size();
    }

    /** Drops every task and ends the thread. Idempotent. */
    void shutdown() {
        executor.shutdownNow();
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("a client timer task failed", e);
        }
    }
}
