package dev.parley.chat.server;

import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A conversation's ordered-delivery step: every message reaches this server's recipients in seq
 * order, each exactly once, and no seq is ever skipped while it may still exist.
 *
 * <p>Messages arrive from three sides, in any order: this server's own appends
 * ({@link #beginAppend}, then {@link #appended} or {@link #appendFailed}), values from a cluster bus
 * ({@link #offer}), and doorbells that only say which seqs were committed elsewhere ({@link #announce}).
 * Each is put in seq order and delivered under {@link #lock} by {@link #deliverNow}. When the next
 * seq to deliver is missing:
 * <ul>
 *   <li>with no recipient on this server, it is passed over (there is nobody to deliver it to; a
 *       later JOIN replays from the store up to the head it is given);</li>
 *   <li>while appends of this server that were in flight when the gap appeared are still running, it
 *       is waited for, at most {@link Env#gapWaitNanos} on the {@link Ticker} (their results carry the
 *       sender, whom the delivery must skip);</li>
 *   <li>otherwise it is read from the store on {@link Env#fetcher}, never under the lock; seqs the
 *       store no longer has while it has a later one were deleted by retention and are passed over.
 *       A failed read is retried after the wait bound.</li>
 * </ul>
 * This relies on the store making one conversation's seqs visible in seq order (a later seq
 * committed means every earlier one was committed too), which the in-memory and JDBC stores do.
 *
 * <p>A room's presence notices from other nodes ({@link #notice}) are delivered after the seq they
 * name and before the next one.
 */
abstract class Conversation {
    private static final Logger log = LoggerFactory.getLogger(Conversation.class);
    /** Most messages read from the store in one go when filling a gap. */
    static final int FETCH_LIMIT = 500;

    /**
     * What every conversation of one server shares for ordered delivery.
     *
     * @param store where missing seqs are read from
     * @param ticker the clock of the wait bound
     * @param gapWaitNanos how long a missing seq is waited for while own appends are in flight
     * @param fetcher runs the store reads that fill gaps (a virtual thread per read by default)
     * @param waits where a conversation that waits is registered, so the reaper can end the wait
     * @param counters where deliveries are counted
     */
    record Env(MessageStore store, Ticker ticker, long gapWaitNanos, Executor fetcher, GapWaits waits, Counters counters) {
        /** Without counting deliveries (tests of the delivery itself). */
        Env(MessageStore store, Ticker ticker, long gapWaitNanos, Executor fetcher, GapWaits waits) {
            this(store, ticker, gapWaitNanos, fetcher, waits, new Counters());
        }
    }

    private record Pending(StoredMessage message, Session origin, boolean local) {
    }

    final String key;
    final ReentrantLock lock = new ReentrantLock();
    private final Env env;

    /** Guarded by lock: the next seq to deliver; -1 until known. */
    private long next = -1;
    /** Guarded by lock: the highest seq known to be committed. */
    private long knownHead;
    /** Guarded by lock: a missing seq up to this one is gone from the store (retention). */
    private long goneUpTo;
    /** Guarded by lock: own appends in flight. */
    private int inFlight;
    /** Guarded by lock: incremented when a wait starts; appends of an earlier epoch are waited for. */
    private int epoch;
    /** Guarded by lock: appends of an earlier epoch still in flight while waiting. */
    private int awaited;
    /** Guarded by lock: a gap is being waited for, since {@link #waitingSince}. */
    private boolean waiting;
    private long waitingSince;
    /** Guarded by lock: a read of missing seqs is running or about to start. */
    private boolean fetching;
    /** Guarded by lock: set by drain when a read should start once the lock is released. */
    private boolean fetchWanted;
    /** Guarded by lock. */
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    /** Guarded by lock: consecutive messages {@link #drain} delivers together, and their origin. */
    private final List<StoredMessage> run = new ArrayList<>(1);
    /** Guarded by lock. */
    private Session runOrigin;
    /** Guarded by lock. */
    private boolean runLocal;
    /** Guarded by lock: notices waiting for their seq, sorted by afterSeq; null when none. */
    private List<PresenceEvent> notices;
    /**
     * Guarded by lock: the directory dropped this conversation ({@link #retireIfIdle}); what still
     * reaches it is ignored, and a fresh one takes its place.
     */
    private boolean retired;

    /**
     * Retires this conversation if nobody on this server takes part in it and nothing is under way:
     * no own append in flight, nothing pending or awaited, no read of missing seqs, no notice. A
     * retired conversation stays retired; the directory then drops it and makes a fresh one when it
     * is needed again, which starts from the store's head as a new one does.
     *
     * @return whether it is retired
     */
    final boolean retireIfIdle() {
        lock.lock();
        try {
            if (!retired && inFlight == 0 && pending.isEmpty() && !waiting && !fetching && !fetchWanted
                    && notices == null && !hasRecipients()) {
                retired = true;
            }
            return retired;
        } finally {
            lock.unlock();
        }
    }

    final boolean retired() {
        lock.lock();
        try {
            return retired;
        } finally {
            lock.unlock();
        }
    }

    /** Where deliveries are counted. */
    final Counters counters() {
        return env.counters();
    }

    Conversation(String key, Env env) {
        this.key = key;
        this.env = env;
    }

    // ---------------------------------------------------------------- what subclasses implement

    /** Guarded by lock: sends one message to every recipient on this server except {@code origin}. */
    abstract void deliverNow(StoredMessage message, Session origin, boolean local);

    /**
     * Guarded by lock: consecutive messages of one origin, in seq order, as {@link #deliverNow} would
     * send them one by one (which is what this does unless a subclass does better: a room queues the
     * whole run for each member in one go).
     */
    void deliverRun(List<StoredMessage> messages, Session origin, boolean local) {
        for (StoredMessage m : messages) {
            deliverNow(m, origin, local);
        }
    }

    /** Guarded by lock: whether anyone on this server should get this conversation's messages. */
    abstract boolean hasRecipients();

    /** Guarded by lock: sends a presence notice from another node (rooms only). */
    void deliverNotice(PresenceEvent event) {
    }

    // ---------------------------------------------------------------- head

    /** Guarded by lock. Reads the head once; may throw {@code StoreException}. */
    final void ensureHead() {
        if (next < 0) {
            next = env.store().head(key) + 1;
            knownHead = Math.max(knownHead, next - 1);
        }
    }

    /** Guarded by lock: the last seq delivered (everything up to it is in the store). */
    final long deliveredHead() {
        return next - 1;
    }

    /** Guarded by lock: the conversation has never had a message and nothing is on its way. */
    final boolean empty() {
        return next == 1 && knownHead == 0 && inFlight == 0 && pending.isEmpty();
    }

    // ---------------------------------------------------------------- own appends

    /**
     * Before an own append (the caller stores right after). May throw {@code StoreException} if the
     * head cannot be read.
     *
     * @return a token to give back to {@link #appended} or {@link #appendFailed}
     */
    final int beginAppend() {
        lock.lock();
        try {
            if (retired) { // the directory never hands out a retired conversation while its sender is here
                throw new IllegalStateException("conversation " + key + " was retired");
            }
            ensureHead();
            inFlight++;
            return epoch;
        } finally {
            lock.unlock();
        }
    }

    /** An own append failed or was a duplicate: nothing to deliver. */
    final void appendFailed(int token) {
        boolean fetch;
        lock.lock();
        try {
            finished(token);
            fetch = drain();
        } finally {
            lock.unlock();
        }
        startFetch(fetch);
    }

    /** An own append stored {@code message}: deliver it (and what it unblocks) in seq order. */
    final void appended(StoredMessage message, Session origin, int token) {
        appended(List.of(new AppendResult(message, false)), 0, 1, origin, new int[] {token});
    }

    /**
     * Own appends of one batch stored {@code results[from, to)}, none a duplicate (their tokens at the
     * same indexes of {@code tokens}): deliver them (and what they unblock) in seq order, consecutive
     * ones together ({@link #deliverRun}).
     */
    final void appended(List<AppendResult> results, int from, int to, Session origin, int[] tokens) {
        boolean fetch;
        lock.lock();
        try {
            for (int i = from; i < to; i++) {
                StoredMessage message = results.get(i).message();
                finished(tokens[i]);
                if (message.seq() == next && pending.isEmpty() && notices == null) {
                    next++; // in order: into the run as drain would take it, with no map entry
                    addToRun(message, origin, true);
                } else if (message.seq() >= next) {
                    pending.put(message.seq(), new Pending(message, origin, true));
                }
            }
            fetch = drain();
        } finally {
            lock.unlock();
        }
        startFetch(fetch);
    }

    private void finished(int token) {
        inFlight--;
        if (waiting && token < epoch) {
            awaited--;
        }
    }

    // ---------------------------------------------------------------- from elsewhere

    /** Messages {@code fromSeq..toSeq} were committed elsewhere (a doorbell). */
    final void announce(long fromSeq, long toSeq) {
        boolean fetch;
        lock.lock();
        try {
            if (retired) {
                return; // nobody here takes part in it; a fresh conversation starts at the store's head
            }
            if (next < 0) {
                next = fromSeq; // made by this doorbell: deliver from it on
            }
            knownHead = Math.max(knownHead, toSeq);
            fetch = drain();
        } finally {
            lock.unlock();
        }
        startFetch(fetch);
    }

    /** A message stored elsewhere, carried by the bus. */
    final void offer(StoredMessage message) {
        boolean fetch;
        lock.lock();
        try {
            if (retired) {
                return;
            }
            if (next < 0) {
                next = message.seq();
            }
            knownHead = Math.max(knownHead, message.seq());
            if (message.seq() >= next) {
                pending.putIfAbsent(message.seq(), new Pending(message, null, false));
            }
            fetch = drain();
        } finally {
            lock.unlock();
        }
        startFetch(fetch);
    }

    /** A presence notice from another node, to deliver after seq {@code event.afterSeq()}. */
    final void notice(PresenceEvent event) {
        boolean fetch;
        lock.lock();
        try {
            if (next < 0 || !hasRecipients()) {
                return;
            }
            knownHead = Math.max(knownHead, event.afterSeq());
            if (notices == null) {
                notices = new ArrayList<>(2);
            }
            int i = notices.size();
            while (i > 0 && notices.get(i - 1).afterSeq() > event.afterSeq()) {
                i--;
            }
            notices.add(i, event);
            fetch = drain();
        } finally {
            lock.unlock();
        }
        startFetch(fetch);
    }

    /**
     * The reaper: ends a wait whose bound passed (or whose appends all finished) by reading the
     * missing seqs from the store.
     *
     * @return whether the conversation still waits
     */
    final boolean checkWait() {
        boolean fetch;
        boolean still;
        lock.lock();
        try {
            if (!waiting) {
                return false;
            }
            fetch = drain();
            still = waiting;
        } finally {
            lock.unlock();
        }
        startFetch(fetch);
        return still;
    }

    // ---------------------------------------------------------------- the step itself

    /**
     * Guarded by lock: delivers everything deliverable in order, and decides what to do about a
     * missing seq.
     *
     * @return whether the caller must start a read of the missing seqs once it released the lock
     */
    private boolean drain() {
        while (true) {
            if (notices != null) {
                flushRun(); // a notice follows the messages before it
                deliverNotices();
            }
            Map.Entry<Long, Pending> first = pending.firstEntry();
            if (first != null && first.getKey() < next) {
                pending.pollFirstEntry(); // delivered already (a resend, a read that raced an append)
                continue;
            }
            if (first != null && first.getKey() == next) {
                pending.pollFirstEntry();
                next++;
                Pending p = first.getValue();
                addToRun(p.message(), p.origin(), p.local());
                continue;
            }
            flushRun();
            long missingTo = missingTo(first);
            if (next < 0 || missingTo < next) {
                waiting = false;
                return false;
            }
            if (!hasRecipients()) {
                next = first != null ? first.getKey() : missingTo + 1;
                continue;
            }
            if (next <= goneUpTo) {
                log.debug("{}: seq {}..{} are no longer in the store; delivering on", key, next, goneUpTo);
                next = first != null ? Math.min(first.getKey(), goneUpTo + 1) : goneUpTo + 1;
                continue;
            }
            if (fetching) {
                return false; // the running read looks again when it is done
            }
            if (waiting) {
                if (awaited > 0 && env.ticker().nanoTime() - waitingSince < env.gapWaitNanos()) {
                    return false;
                }
            } else if (inFlight > 0) {
                startWaiting(inFlight);
                return false;
            }
            waiting = false;
            fetching = true;
            return true;
        }
    }

    /** Guarded by lock: {@code message}, the next seq, joins the run (a run has one origin). */
    private void addToRun(StoredMessage message, Session origin, boolean local) {
        if (!run.isEmpty() && (origin != runOrigin || local != runLocal)) {
            flushRun();
        }
        run.add(message);
        runOrigin = origin;
        runLocal = local;
    }

    /** Guarded by lock: delivers the run of consecutive messages {@link #drain} gathered. */
    private void flushRun() {
        if (run.isEmpty()) {
            return;
        }
        try {
            deliverRun(run, runOrigin, runLocal);
        } catch (RuntimeException e) {
            log.warn("{}: delivering seq {}..{} failed", key, run.get(0).seq(), run.get(run.size() - 1).seq(), e);
        } finally {
            run.clear();
            runOrigin = null;
        }
    }

    /** Guarded by lock: waits for {@code appends} own appends in flight, or the bound. */
    private void startWaiting(int appends) {
        waiting = true;
        waitingSince = env.ticker().nanoTime();
        epoch++;
        awaited = appends;
        env.waits().add(this);
    }

    /** Guarded by lock: the last seq of the gap that starts at next (below next: no gap). */
    private long missingTo(Map.Entry<Long, Pending> first) {
        long beforeFirst = first == null ? 0 : first.getKey() - 1;
        return Math.max(knownHead, beforeFirst);
    }

    private void deliverNotices() {
        if (notices == null) {
            return;
        }
        while (!notices.isEmpty() && notices.get(0).afterSeq() < next) {
            PresenceEvent e = notices.remove(0);
            try {
                deliverNotice(e);
            } catch (RuntimeException ex) {
                log.warn("{}: delivering a presence notice failed", key, ex);
            }
        }
        if (notices.isEmpty()) {
            notices = null;
        }
    }

    private void startFetch(boolean fetch) {
        if (fetch) {
            env.fetcher().execute(this::fetchLoop);
        }
    }

    /**
     * Reads missing seqs from the store until none is missing. Runs on the fetcher with
     * {@code fetching} set, never holding the lock while reading.
     */
    private void fetchLoop() {
        while (true) {
            long from;
            long to;
            lock.lock();
            try {
                long missingTo = missingTo(pending.firstEntry());
                if (next < 0 || missingTo < next || next <= goneUpTo || !hasRecipients()) {
                    fetching = false;
                    if (!drain()) {
                        return;
                    }
                    continue; // drain found another gap to read (fetching is set again)
                }
                from = next;
                to = missingTo;
            } finally {
                lock.unlock();
            }
            int want = (int) Math.min(to - from + 1, FETCH_LIMIT);
            List<StoredMessage> got;
            try {
                got = env.store().readAfter(key, from - 1, want);
            } catch (RuntimeException e) {
                log.warn("{}: reading missing seq {}..{} failed; trying again: {}", key, from, to, e.toString());
                lock.lock();
                try {
                    fetching = false;
                    startWaiting(Integer.MAX_VALUE); // only the bound ends this wait
                } finally {
                    lock.unlock();
                }
                return;
            }
            lock.lock();
            try {
                for (StoredMessage m : got) {
                    if (m.seq() >= next) {
                        pending.putIfAbsent(m.seq(), new Pending(m, null, false));
                    }
                }
                if (got.size() < want || got.get(got.size() - 1).seq() >= to) {
                    goneUpTo = Math.max(goneUpTo, to); // what the read did not return is gone
                }
                fetching = false;
                if (!drain()) {
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
