package dev.parley.chat.server;

import dev.parley.chat.net.internal.Poller;
import java.util.ArrayList;
import java.util.List;

/**
 * A reader's back-pressure waits on outbound queues (its own replies, a room's slow recipients).
 * A reader that runs on the polling thread ({@link Reader}) must never wait: there a wait that would
 * be needed is owed instead, the reader hands over to a reader thread after that read, and that
 * thread pays the owed waits before it reads on. So the connection's next input is not handled
 * before the queues drained (or the wait timed out), whichever thread runs it. Reader only: the owed
 * waits pass from the polling thread to the reader thread by {@link Thread#start}.
 */
final class Waits {
    private record Owed(Outbound out, long bytes, long deadlineNanos) {
    }

    /** Owed by a run on the polling thread; null while none are. */
    private List<Owed> owed;

    /** Waits, at most {@code timeoutNanos}, until {@code out} has at most {@code bytes} queued; or owes it. */
    void awaitBelow(Outbound out, long bytes, long timeoutNanos) {
        if (!Poller.onPollerThread()) {
            out.awaitBelow(bytes, timeoutNanos);
            return;
        }
        if (out.queued() <= bytes) {
            return;
        }
        if (owed == null) {
            owed = new ArrayList<>(2);
        }
        owed.add(new Owed(out, bytes, System.nanoTime() + timeoutNanos));
    }

    /** Whether a run on the polling thread owes a wait: it must hand over to a reader thread. */
    boolean owing() {
        return owed != null;
    }

    /** Pays the owed waits (on a reader thread), each to its own deadline. */
    void pay() {
        List<Owed> due = owed;
        if (due == null) {
            return;
        }
        owed = null;
        for (Owed w : due) {
            long left = w.deadlineNanos() - System.nanoTime();
            if (left > 0) {
                w.out().awaitBelow(w.bytes(), left);
            }
        }
    }
}
