package dev.parley.chat.jakarta.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages a container delivered and the server's reader has not taken yet, bounded in count:
 * a full inbox blocks the container's delivering thread, which is how a Jakarta container is told to
 * stop reading that socket (back-pressure). Ends with an end of stream or a failure.
 */
final class Inbox {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    private final int capacity;
    /** Guarded by lock. */
    private boolean ended;
    /** Guarded by lock: why the stream failed, or null. */
    private IOException failure;

    Inbox(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Adds a message, waiting while the inbox is full. Returns false (dropping it) once the inbox has
     * ended.
     */
    boolean put(byte[] message) throws InterruptedException {
        lock.lock();
        try {
            while (!ended && messages.size() >= capacity) {
                notFull.await();
            }
            if (ended) {
                return false;
            }
            messages.addLast(message);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message, waiting for one; null at the end of the stream.
     *
     * @throws IOException if the stream failed (after the messages before the failure were taken)
     */
    byte[] take() throws IOException {
        lock.lock();
        try {
            while (messages.isEmpty() && !ended) {
                notEmpty.await();
            }
            byte[] m = messages.pollFirst();
            if (m != null) {
                notFull.signal();
                return m;
            }
            if (failure != null) {
                throw failure;
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading");
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream after what is queued; {@code failure} (if not null) is what the last read throws. */
    void end(IOException failure) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            this.failure = failure;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream now, dropping what is queued (the connection was closed by the server). */
    void close() {
        lock.lock();
        try {
            messages.clear();
            ended = true;
            failure = null;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
