package dev.parley.chat.server;

import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.StoredMessage;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A conversation's ordered-delivery step. The store assigns seq numbers to concurrent appends; the
 * appenders then hand their results here in whatever order they finish, and this delivers them in
 * seq order, each exactly once, under {@link #lock}.
 *
 * <p>{@link #beginAppend} counts appends in flight. When the next expected seq is missing and no
 * local append is in flight, the missing seq was taken by someone else (another server on the same
 * store) or lost, and delivery moves past it instead of waiting forever.
 */
abstract class Conversation {
    private static final Logger log = LoggerFactory.getLogger(Conversation.class);

    final String key;
    final ReentrantLock lock = new ReentrantLock();
    private final MessageStore store;
    /** Guarded by lock: the next seq to deliver; -1 until read from the store. */
    private long next = -1;
    /** Guarded by lock. */
    private int inFlight;
    /** Guarded by lock. */
    private final TreeMap<Long, Pending> pending = new TreeMap<>();

    private record Pending(StoredMessage message, Session origin) {
    }

    Conversation(String key, MessageStore store) {
        this.key = key;
        this.store = store;
    }

    /** Guarded by lock. Reads the head once; may throw {@code StoreException}. */
    final void ensureHead() {
        if (next < 0) {
            next = store.head(key) + 1;
        }
    }

    /**
     * Guarded by lock: the head was read, it is 0, and nothing is being appended or waits for
     * delivery: the conversation has never had a message.
     */
    final boolean empty() {
        return next == 1 && inFlight == 0 && pending.isEmpty();
    }

    /** Guarded by lock: the last seq delivered (everything up to it is in the store). */
    final long deliveredHead() {
        return next - 1;
    }

    /** Before an append: may throw {@code StoreException} if the head cannot be read. */
    final void beginAppend() {
        lock.lock();
        try {
            ensureHead();
            inFlight++;
        } finally {
            lock.unlock();
        }
    }

    /** An append failed or was a duplicate: nothing to deliver. */
    final void appendFinished() {
        lock.lock();
        try {
            inFlight--;
            drain();
        } finally {
            lock.unlock();
        }
    }

    /** An append stored {@code message}; deliver it (and whatever it unblocks) in seq order. */
    final void deliver(StoredMessage message, Session origin) {
        lock.lock();
        try {
            inFlight--;
            pending.put(message.seq(), new Pending(message, origin));
            drain();
        } finally {
            lock.unlock();
        }
    }

    private void drain() {
        while (!pending.isEmpty()) {
            Map.Entry<Long, Pending> first = pending.firstEntry();
            long seq = first.getKey();
            if (seq > next) {
                if (inFlight > 0) {
                    return;
                }
                log.debug("{}: seq {}..{} were not stored by this server; delivering on from {}", key, next, seq - 1, seq);
                next = seq;
            }
            pending.pollFirstEntry();
            if (seq == next) {
                next++;
            }
            try {
                deliverNow(first.getValue().message(), first.getValue().origin());
            } catch (RuntimeException e) {
                log.warn("{}: delivering seq {} failed", key, seq, e);
            }
        }
    }

    /** Guarded by lock: sends one stored message to everyone who should see it, except {@code origin}. */
    abstract void deliverNow(StoredMessage message, Session origin);
}
