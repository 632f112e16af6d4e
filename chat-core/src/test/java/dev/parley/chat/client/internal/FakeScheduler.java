package dev.parley.chat.client.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on a clock that moves only when the test calls {@link #advance}. Thread safe;
 * tasks run on the thread that calls {@link #advance}, outside its lock.
 */
final class FakeScheduler implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.order));
    private long now;
    private long order;

    private static final class Task {
        final long due;
        final long order;
        final Runnable run;

        Task(long due, long order, Runnable run) {
            this.due = due;
            this.order = order;
            this.run = run;
        }
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(long delayNanos, Runnable task) {
        Task t = new Task(now + Math.max(0, delayNanos), order++, task);
        tasks.add(t);
        return () -> {
            synchronized (this) {
                tasks.remove(t);
            }
        };
    }

    /** Moves the clock forward, running every task that falls due, in order. */
    void advance(long nanos) {
        long until;
        synchronized (this) {
            until = now + nanos;
        }
        while (true) {
            Task t;
            synchronized (this) {
                if (tasks.isEmpty() || tasks.peek().due > until) {
                    now = until;
                    return;
                }
                t = tasks.poll();
                now = t.due;
            }
            t.run.run();
        }
    }

    /** How many tasks wait to run. */
    synchronized int pending() {
        return tasks.size();
    }

    /** The due times of the waiting tasks, relative to now, soonest first. */
    synchronized List<Long> dueIn() {
        List<Long> out = new ArrayList<>();
        tasks.stream().sorted(tasks.comparator()).forEach(t -> out.add(t.due - now));
        return out;
    }
}
