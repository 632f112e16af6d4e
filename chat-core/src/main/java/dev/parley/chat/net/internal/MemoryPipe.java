package dev.parley.chat.net.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A bounded byte pipe between two threads: a ring buffer with blocking and non-blocking writes. */
final class MemoryPipe {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    /** Guarded by lock (all fields below). */
    private final byte[] ring;
    private int head;
    private int count;
    private boolean closed;

    MemoryPipe(int capacity) {
        this.ring = new byte[capacity];
    }

    int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (count == 0) {
                if (closed) {
                    return -1;
                }
                notEmpty.awaitUninterruptibly();
            }
            int n = Math.min(len, count);
            int first = Math.min(n, ring.length - head);
            System.arraycopy(ring, head, dst, off, first);
            System.arraycopy(ring, 0, dst, off + first, n - first);
            head = (head + n) % ring.length;
            count -= n;
            notFull.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Writes everything, waiting for room. */
    void write(ByteBuffer[] buffers) throws IOException {
        lock.lock();
        try {
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining()) {
                    while (count == ring.length && !closed) {
                        notFull.awaitUninterruptibly();
                    }
                    put(b);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes what fits now. */
    long tryWrite(ByteBuffer[] buffers) throws IOException {
        lock.lock();
        try {
            long total = 0;
            for (ByteBuffer b : buffers) {
                if (closed) {
                    throw new IOException("connection closed");
                }
                total += put(b);
                if (b.hasRemaining()) {
                    break;
                }
            }
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock. */
    private int put(ByteBuffer b) throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        int n = Math.min(b.remaining(), ring.length - count);
        int tail = (head + count) % ring.length;
        int first = Math.min(n, ring.length - tail);
        b.get(ring, tail, first);
        b.get(ring, 0, n - first);
        count += n;
        if (n > 0) {
            notEmpty.signalAll();
        }
        return n;
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
