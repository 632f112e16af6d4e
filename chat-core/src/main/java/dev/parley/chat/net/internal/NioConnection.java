package dev.parley.chat.net.internal;

import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A plain TCP connection on a non-blocking {@link SocketChannel}, registered with a {@link Poller}.
 *
 * <p><b>Reads happen on the poller thread.</b> The channel stays registered for reading; when it is
 * readable the poller reads what is there into this connection's <em>inbox</em> (one non-blocking
 * {@code read}, copied into a {@code byte[]} of exactly that size) and wakes the reader. {@link #read}
 * takes from the inbox and parks the calling (virtual) thread only while it is empty. So a reader that
 * finds nothing more to read costs no syscall: no {@code read} returning 0, no re-arming of the
 * selector ({@code epoll_ctl}) and no {@code Selector.wakeup}. The inbox holds at most
 * {@link #INBOX_LIMIT} bytes: past it the poller stops reading this connection until the reader has
 * taken half, and TCP flow control holds the peer back, as it did when the reader read the socket
 * itself.
 *
 * <p>Writes are the caller's: {@link #write} writes and parks until the poller reports the socket
 * writable (one-shot interest, re-armed by the waiting writer); {@link #tryWrite} never waits, which
 * is what lets the server write small frames straight from a sender's thread.
 */
public final class NioConnection implements Connection, InputChunks, NonBlockingWrite, HalfClose {
    /** Unread input held per connection before the poller stops reading it. */
    static final int INBOX_LIMIT = 32 * 1024;

    private final SocketChannel channel;
    private final Poller poller;
    private final SelectionKey key;
    private final SocketAddress remote;
    private final String transportName;
    private final Runnable onClose;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    /**
     * Poller thread only: the current round of the poller reported this connection readable and has
     * not read it yet ({@link #readLaterThisRound()}).
     */
    boolean readLaterThisRound;
    /** Guarded by lock: chunks read by the poller, not yet taken by the reader; null while empty. */
    private ArrayDeque<byte[]> inbox;
    /** Guarded by lock: how much of the inbox's first chunk the reader has taken. */
    private int headOffset;
    /** Guarded by lock: bytes in the inbox. */
    private int inboxBytes;
    /** Guarded by lock: the poller stopped reading because the inbox was full. */
    private boolean readPaused;
    /** Guarded by lock: the peer ended its output (read returned -1); reported after the inbox. */
    private boolean endOfInput;
    /** Guarded by lock: a read failed on the poller thread; reported after the inbox. */
    private IOException readFailure;
    /** Guarded by lock: a reader that found nothing and left ({@link #takeOrCallBack}); run once. */
    private Runnable whenReadable;
    /** Guarded by lock. */
    private boolean writeReady;
    private volatile boolean closed;

    /**
     * Makes the channel non-blocking and registers it with the poller for reading.
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
        if (length == 0) {
            return 0;
        }
        boolean resume = false;
        int n;
        lock.lock();
        try {
            while (inboxBytes == 0 && !endOfInput && readFailure == null && !closed) {
                readable.awaitUninterruptibly();
            }
            checkOpen();
            if (inboxBytes == 0) {
                if (readFailure != null) {
                    throw readFailure;
                }
                return -1;
            }
            n = take(buffer, offset, length);
            resume = unpause();
        } finally {
            lock.unlock();
        }
        if (resume) {
            resumeReading();
        }
        return n;
    }

    @Override
    public byte[] takeOrCallBack(Runnable callback) throws IOException {
        boolean resume = false;
        byte[] taken;
        lock.lock();
        try {
            checkOpen();
            if (inboxBytes == 0) {
                if (readFailure != null) {
                    throw readFailure;
                }
                if (endOfInput) {
                    return null;
                }
                whenReadable = callback;
                return NOTHING;
            }
            taken = takeAll();
            resume = unpause();
        } finally {
            lock.unlock();
        }
        if (resume) {
            resumeReading();
        }
        return taken;
    }

    /**
     * Guarded by lock: whether the poller stopped reading for a full inbox and the reader has now taken
     * half of it; then the caller gives the key its read interest back ({@link #resumeReading}).
     */
    private boolean unpause() {
        if (readPaused && inboxBytes <= INBOX_LIMIT / 2) {
            readPaused = false;
            return true;
        }
        return false;
    }

    /** The reader took what made the poller stop reading: read interest back (outside the lock). */
    private void resumeReading() {
        try {
            poller.arm(key, SelectionKey.OP_READ);
        } catch (CancelledKeyException e) {
            // closed meanwhile: the next read says so
        }
    }

    /** Guarded by lock; the inbox is not empty. Hands the chunk itself over when it is the only one. */
    private byte[] takeAll() {
        byte[] taken;
        if (inbox.size() == 1 && headOffset == 0) {
            taken = inbox.peekFirst();
        } else {
            taken = new byte[inboxBytes];
            take(taken, 0, taken.length);
        }
        inbox = null;
        headOffset = 0;
        inboxBytes = 0;
        return taken;
    }

    /** Guarded by lock; the inbox is not empty. */
    private int take(byte[] buffer, int offset, int length) {
        int n = 0;
        while (n < length && inboxBytes > 0) {
            byte[] head = inbox.peekFirst();
            int k = Math.min(length - n, head.length - headOffset);
            System.arraycopy(head, headOffset, buffer, offset + n, k);
            n += k;
            headOffset += k;
            inboxBytes -= k;
            if (headOffset == head.length) {
                inbox.pollFirst();
                headOffset = 0;
            }
        }
        if (inboxBytes == 0) {
            inbox = null; // an idle connection holds no queue
        }
        return n;
    }

    /**
     * Called by the poller thread when the channel is readable: one non-blocking read into the
     * poller's own buffer, whose bytes are copied into the inbox. Takes the key's read interest away
     * (under the lock, so a reader resuming later re-adds it after this) once the input ended or
     * failed, or the inbox is full.
     */
    void readable(SelectionKey key, ByteBuffer scratch) {
        Runnable wake = null;
        lock.lock();
        try {
            if (closed || endOfInput || readFailure != null) {
                stopReading(key);
                return;
            }
            int room = INBOX_LIMIT - inboxBytes;
            if (room <= 0) {
                readPaused = true;
                stopReading(key);
                return;
            }
            scratch.clear().limit(Math.min(room, scratch.capacity()));
            int n;
            try {
                n = channel.read(scratch);
            } catch (IOException e) {
                readFailure = e;
                wake = wakeReader();
                stopReading(key);
                return;
            }
            if (n < 0) {
                endOfInput = true;
                wake = wakeReader();
                stopReading(key);
                return;
            }
            if (n == 0) {
                return;
            }
            byte[] chunk;
            try {
                chunk = new byte[n];
            } catch (OutOfMemoryError e) {
                // The bytes are out of the socket and cannot be kept: end the input rather than
                // let the reader see a stream with a hole in it.
                readFailure = new IOException("out of memory reading " + n + " bytes");
                wake = wakeReader();
                stopReading(key);
                return;
            }
            scratch.flip().get(chunk);
            if (inbox == null) {
                inbox = new ArrayDeque<>(4);
            }
            inbox.addLast(chunk);
            inboxBytes += n;
            wake = wakeReader();
            if (inboxBytes >= INBOX_LIMIT) {
                readPaused = true;
                stopReading(key);
            }
        } finally {
            lock.unlock();
            run(wake);
        }
    }

    /** Guarded by lock: wakes a parked reader, and returns the callback of one that left, if any. */
    private Runnable wakeReader() {
        readable.signal();
        Runnable r = whenReadable;
        whenReadable = null;
        return r;
    }

    /**
     * Runs a departed reader's callback (outside the lock). If it fails (no memory for a thread), it
     * is put back, so the next input or the close tries again.
     */
    private void run(Runnable callback) {
        if (callback == null) {
            return;
        }
        try {
            callback.run();
        } catch (Throwable t) {
            lock.lock();
            try {
                if (whenReadable == null) {
                    whenReadable = callback;
                }
            } finally {
                lock.unlock();
            }
            throw t;
        }
    }

    /** Guarded by lock; on the poller thread, whose next select applies it without a wake-up. */
    private static void stopReading(SelectionKey key) {
        try {
            key.interestOpsAnd(~SelectionKey.OP_READ);
        } catch (CancelledKeyException e) {
            // closed: nobody reads any more
        }
    }

    /** Bytes read by the poller and not yet taken by {@link #read}: at most {@link #INBOX_LIMIT}. */
    int bufferedInput() {
        lock.lock();
        try {
            return inboxBytes;
        } finally {
            lock.unlock();
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
            awaitWritable();
        }
    }

    @Override
    public long tryWrite(ByteBuffer[] buffers) throws IOException {
        checkOpen();
        return channel.write(buffers);
    }

    @Override
    public boolean readLaterThisRound() {
        return poller.isPollerThread() && readLaterThisRound; // the field is the poller's alone
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

    private void awaitWritable() throws IOException {
        lock.lock();
        try {
            writeReady = false;
            try {
                poller.arm(key, SelectionKey.OP_WRITE);
            } catch (CancelledKeyException e) {
                throw new ClosedChannelException();
            }
            while (!closed && !writeReady) {
                writable.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        checkOpen();
    }

    /** Called by the poller thread when the socket is writable (or its key was cancelled). */
    void writable() {
        lock.lock();
        try {
            writeReady = true;
            writable.signalAll();
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
        Runnable wake;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            inbox = null;
            inboxBytes = 0;
            readable.signalAll();
            writable.signalAll();
            wake = whenReadable;
            whenReadable = null;
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
        if (wake != null) {
            wake.run(); // the reader sees the close
        }
    }
}
