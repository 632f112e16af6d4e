package dev.parley.chat.net.internal;

import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A plain TCP connection on a non-blocking {@link SocketChannel}. Blocking {@code read}/{@code write}
 * park the calling (virtual) thread until the {@link Poller} reports readiness; {@link #tryWrite}
 * never waits, which is what lets the server write small frames straight from a sender's thread.
 */
public final class NioConnection implements Connection, NonBlockingWrite, HalfClose {
    private final SocketChannel channel;
    private final Poller poller;
    private final SelectionKey key;
    private final SocketAddress remote;
    private final String transportName;
    private final Runnable onClose;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    /** Guarded by lock. */
    private boolean readReady;
    /** Guarded by lock. */
    private boolean writeReady;
    private volatile boolean closed;

    /**
     * Makes the channel non-blocking and registers it with the poller.
     *
     * @param onClose run once when the connection is closed (the binding counts its connections)
     */
    public NioConnection(SocketChannel channel, Poller poller, String transportName, Runnable onClose)
            throws IOException {
        this.channel = channel;
        this.poller = poller;
        this.transportName = transportName;
        this.onClose = onClose;
        channel.configureBlocking(false);
        this.remote = channel.getRemoteAddress();
        this.key = poller.register(channel, this);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.wrap(buffer, offset, length);
        while (true) {
            checkOpen();
            int n = channel.read(dst);
            if (n != 0) {
                return n;
            }
            await(SelectionKey.OP_READ);
        }
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        while (true) {
            checkOpen();
            channel.write(buffers);
            if (!hasRemaining(buffers)) {
                return;
            }
            await(SelectionKey.OP_WRITE);
        }
    }

    @Override
    public long tryWrite(ByteBuffer[] buffers) throws IOException {
        checkOpen();
        return channel.write(buffers);
    }

    @Override
    public void shutdownOutput() throws IOException {
        checkOpen();
        channel.shutdownOutput();
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (int i = buffers.length - 1; i >= 0; i--) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private void await(int op) throws IOException {
        lock.lock();
        try {
            if (op == SelectionKey.OP_READ) {
                readReady = false;
            } else {
                writeReady = false;
            }
            try {
                poller.arm(key, op);
            } catch (java.nio.channels.CancelledKeyException e) {
                throw new ClosedChannelException();
            }
            while (!closed && !(op == SelectionKey.OP_READ ? readReady : writeReady)) {
                (op == SelectionKey.OP_READ ? readable : writable).awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        checkOpen();
    }

    /** Called by the poller thread. */
    void ready(int ops) {
        lock.lock();
        try {
            if ((ops & SelectionKey.OP_READ) != 0) {
                readReady = true;
                readable.signalAll();
            }
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                writeReady = true;
                writable.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String transportName() {
        return transportName;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        poller.cancel(key);
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        onClose.run();
    }
}
