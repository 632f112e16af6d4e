package dev.parley.chat.client.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The requests waiting for their answer, by {@code ref}, each with one timer that is cancelled when it
 * completes. Refs are numbers counted up, so iteration order is the order the requests were made.
 *
 * <p>Not thread safe: guarded by the session lock. The timers run {@code onTimeout} on the
 * scheduler's thread, which takes that lock and calls {@link #expire}.
 */
final class PendingRequests {
    private final Map<String, Request> byRef = new LinkedHashMap<>();
    private final Scheduler scheduler;
    private final long timeoutNanos;
    private final Consumer<Request> onTimeout;
    private long lastRef;

    /**
     * @param scheduler runs the timers
     * @param timeoutNanos how long a request may wait for its answer
     * @param onTimeout called on the scheduler's thread when a request's time is up
     */
    PendingRequests(Scheduler scheduler, long timeoutNanos, Consumer<Request> onTimeout) {
        this.scheduler = scheduler;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
    }

    /** A new ref, never used before in this session. */
    String nextRef() {
        return Long.toString(++lastRef);
    }

    /** Registers a request and starts its timer. */
    void add(Request r) {
        byRef.put(r.ref, r);
        r.timer = scheduler.schedule(timeoutNanos, () -> onTimeout.accept(r));
    }

    /** The request waiting under {@code ref}, or {@code null}. */
    Request get(String ref) {
        return ref == null ? null : byRef.get(ref);
    }

    /** Removes the request waiting under {@code ref} and cancels its timer; {@code null} if none. */
    Request remove(String ref) {
        Request r = get(ref);
        if (r != null) {
            forget(r);
        }
        return r;
    }

    /** Removes {@code r} if it is still waiting (its timer fired); false if it was answered meanwhile. */
    boolean expire(Request r) {
        if (byRef.get(r.ref) != r) {
            return false;
        }
        byRef.remove(r.ref);
        return true;
    }

    /** Removes and returns the requests that match, in order, cancelling their timers. */
    List<Request> removeIf(Predicate<Request> which) {
        List<Request> removed = new ArrayList<>();
        for (Iterator<Request> it = byRef.values().iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (which.test(r)) {
                it.remove();
                cancel(r);
                removed.add(r);
            }
        }
        return removed;
    }

    /** Removes and returns every request, in order, cancelling their timers. */
    List<Request> clear() {
        return removeIf(r -> true);
    }

    /** The waiting requests in the order they were made; a read-only view. */
    Collection<Request> all() {
        return Collections.unmodifiableCollection(byRef.values());
    }

    /** How many requests wait. */
    int size() {
        return byRef.size();
    }

    private void forget(Request r) {
        byRef.remove(r.ref);
        cancel(r);
    }

    private static void cancel(Request r) {
        if (r.timer != null) {
            r.timer.cancel();
            r.timer = null;
        }
    }
}
