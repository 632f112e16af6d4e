package dev.parley.chat.server;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.transport.Connection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Connection} without a socket for unit tests: what the server writes is kept and decoded on
 * demand; reads block until the connection is closed (nothing is ever read).
 */
final class CaptureConnection implements Connection {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private boolean closed;

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        lock.lock();
        try {
            while (!closed) {
                changed.awaitUninterruptibly();
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IOException("closed");
            }
            for (ByteBuffer b : buffers) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                written.write(a);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The frames written so far. */
    List<Frame> frames() {
        lock.lock();
        try {
            return FrameDecoder.decodeAll(written.toByteArray(), 1 << 20);
        } finally {
            lock.unlock();
        }
    }

    /** Waits (up to 10 s) until at least {@code n} frames were written, and returns them all. */
    List<Frame> awaitFrames(int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        lock.lock();
        try {
            while (true) {
                List<Frame> f = FrameDecoder.decodeAll(written.toByteArray(), 1 << 20);
                if (f.size() >= n) {
                    return f;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " frames, got " + f);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public String transportName() {
        return "capture";
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
