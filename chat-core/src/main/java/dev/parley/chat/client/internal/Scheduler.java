package dev.parley.chat.client.internal;

/**
 * A session's clock and timers. {@link TimerThread} is the real one (one thread per session); tests
 * use a fake one that they advance by hand.
 */
interface Scheduler {

    /** The current time in nanoseconds, for intervals only (like {@link System#nanoTime()}). */
    long nanoTime();

    /**
     * Runs {@code task} once after {@code delayNanos}, on the scheduler's thread. Never blocks. After
     * the scheduler was shut down the task is dropped.
     *
     * @return a handle that cancels the task; cancelling forgets it at once
     */
    Cancellable schedule(long delayNanos, Runnable task);

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run yet; idempotent. */
        void cancel();
    }
}
