package dev.parley.chat.server;

import dev.parley.chat.net.internal.HalfClose;
import dev.parley.chat.net.internal.NonBlockingWrite;
import dev.parley.chat.net.internal.Poller;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of one connection: a bounded byte queue and who may write.
 *
 * <p>At most one thread writes to the connection at a time: the one that set {@code writing}.
 * {@link #send} called by any thread (a sender's reader, a room fan-out) writes directly, without
 * waiting, when nothing is queued, nobody is writing and the connection supports
 * {@link NonBlockingWrite}; whatever the transport does not take at once is queued. On the poller
 * thread (a reader handling a small read in place) the connection's own replies wait for the end of
 * the poller's round ({@link Poller#atRoundEnd}, {@link #sendReplies}), so that they and what else
 * the connection gets in that round go out in one write; so does a frame for a connection that the
 * same round will still read ({@link NonBlockingWrite#readLaterThisRound}), which then goes out with
 * that connection's replies (in rooms of two partners sending at once: two writes for two messages,
 * not three). Otherwise the
 * bytes are queued and a writer virtual thread, started on demand, takes the whole queue per round and
 * writes it in chunks of at most 64 KiB, one write call each ({@link ChunkedWrite}). A
 * blocking write therefore waits for the peer to take one chunk, never a whole queue: how long the
 * writer has waited ({@link #writeBlockedLongerThan}) tells a peer that stopped reading from one that
 * reads, however long its queue. No I/O ever
 * happens while {@code lock} is held, so {@link #send} never blocks on a peer's socket. A queue
 * past its byte limit makes the session a slow consumer.
 */
final class Outbound implements ChunkedWrite.Progress {
    private static final Logger log = LoggerFactory.getLogger(Outbound.class);

    private final Session session;
    private final Connection connection;
    private final NonBlockingWrite direct;
    private final long limit;
    private final Counters counters;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: made by the first thread that waits ({@link #awaitBelow}, {@link #awaitFinished}). */
    private Condition progress;
    /**
     * Guarded by lock: what waits to be written, as the frames' whole {@code byte[]}s (shared with the
     * other recipients and never modified; a {@code ByteBuffer} is made only for a write, one per merged
     * chunk, not per frame and recipient); null when the connection has no writer and nothing queued.
     * Most connections are idle most of the time, so the queue is made when the first frame is queued
     * and dropped when the writer that drained it exits. A writer takes the queue whole for its round
     * and puts the one it emptied in its last round in its place, so a busy connection's two queues go
     * back and forth and its rounds make no new array ({@link #drain}).
     */
    private FrameQueue queue;
    /** Guarded by lock: how much of the queue's first frame was written already (a direct write's rest). */
    private int headOffset;
    /** Guarded by lock: bytes queued or being written by the writer thread. */
    private long queuedBytes;
    /** Guarded by lock: a thread owns the connection's write side. */
    private boolean writing;
    /** Guarded by lock: close the connection once the queue is empty. */
    private boolean closeWhenDrained;
    /** Guarded by lock. */
    private boolean closed;
    /** Guarded by lock: the last frames were written and the output ended (reads go on). */
    private boolean outputEnded;
    /** When the writer thread started its current write, 0 if none (read by the reaper and room pacing). */
    private volatile long writeStartedNanos;

    Outbound(Session session, Connection connection, long limit, Counters counters) {
        this.session = session;
        this.connection = connection;
        this.direct = connection instanceof NonBlockingWrite n ? n : null;
        this.limit = limit;
        this.counters = counters;
    }

    /**
     * Sends one frame's bytes (never modified, may be shared with other recipients). Never blocks on
     * the peer. Returns false if the connection is closing or this made it a slow consumer.
     */
    boolean send(byte[] frame) {
        return send(frame, null, frame.length, true, true, false);
    }

    /**
     * Like {@link #send(byte[])}, but with {@code direct == false} never writes on the caller's
     * thread: a broadcast to many recipients queues for each and lets their writers merge frames.
     */
    boolean send(byte[] frame, boolean direct) {
        return send(frame, null, frame.length, direct, true, false);
    }

    /**
     * Sends several frames in order, as one write when possible: the connection's own replies (or its
     * join backlog). They do not count against the queue limit: the reader already waited for its own
     * queue to drain ({@link #awaitBelow}), which is the back-pressure for what a client asked for.
     */
    boolean send(List<byte[]> frames) {
        return send(frames, true, false, false);
    }

    /**
     * The connection's own replies to a read ({@link Replies}): like {@link #send(List)}, but on the
     * poller thread they are written at the end of the poller's round ({@link Poller#atRoundEnd})
     * together with whatever else the connection gets in that round, such as the message of a room
     * partner whose read the same round handled: one write instead of two.
     */
    boolean sendReplies(List<byte[]> frames) {
        return send(frames, true, false, true);
    }

    /**
     * Several broadcast frames in order (a run of consecutive messages of one room) with one queue
     * operation, counted against the queue limit like {@link #send(byte[], boolean)}.
     */
    boolean send(List<byte[]> frames, boolean direct) {
        return send(frames, direct, true, false);
    }

    private boolean send(List<byte[]> frames, boolean direct, boolean enforceLimit, boolean deferOnPoller) {
        if (frames.isEmpty()) {
            return true;
        }
        long total = 0;
        for (byte[] f : frames) {
            total += f.length;
        }
        return send(null, frames, total, direct, enforceLimit, deferOnPoller);
    }

    /** Sends {@code one} frame, or else the {@code many}. */
    private boolean send(byte[] one, List<byte[]> many, long total, boolean allowDirect, boolean enforceLimit,
            boolean deferOnPoller) {
        boolean writeNow = false;
        boolean startWriter = false;
        boolean deferred = false;
        // Written at the end of the poller's round: the connection's own replies, and anything for a
        // connection that the same round will still read (whose replies it then joins).
        boolean toRoundEnd = deferOnPoller
                ? Poller.onPollerThread()
                : allowDirect && direct != null && direct.readLaterThisRound();
        lock.lock();
        try {
            if (closed || closeWhenDrained) {
                return false;
            }
            if (!writing && nothingQueued() && direct != null && allowDirect) {
                writing = true;
                if (toRoundEnd) {
                    // The poller writes it at the end of its round, with whatever else this
                    // connection gets in that round (flushRound): one write, not one per frame.
                    deferred = true;
                    enqueue(one, many, total);
                } else {
                    writeNow = true;
                }
            } else {
                if (enforceLimit && queuedBytes + total > limit) {
                    writeNow = false;
                    startWriter = false;
                    total = -1;
                } else {
                    enqueue(one, many, total);
                    if (!writing) {
                        writing = true;
                        startWriter = true;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (total < 0) {
            long started = writeStartedNanos;
            session.slowConsumer("outbound queue passed " + limit + " bytes (the writer "
                    + (started == 0 ? "was between writes" : "had waited " + (System.nanoTime() - started) / 1_000_000
                            + " ms for the peer to take its current write") + ")");
            return false;
        }
        counters.sent(one != null ? 1 : many.size(), total);
        if (deferred) {
            if (!Poller.atRoundEnd(this::flushRound)) {
                flushRound(); // not on a poller after all (a transport that said otherwise): now
            }
        } else if (writeNow) {
            ByteBuffer[] buffers;
            if (one != null) {
                buffers = new ByteBuffer[] {ByteBuffer.wrap(one)};
            } else {
                buffers = new ByteBuffer[many.size()];
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.wrap(many.get(i));
                }
            }
            writeDirect(buffers);
        } else if (startWriter) {
            startWriter();
        }
        return true;
    }

    /** Guarded by lock: appends {@code one} frame, or else the {@code many}, to the queue. */
    private void enqueue(byte[] one, List<byte[]> many, long total) {
        if (one != null) {
            queue(1).add(one);
        } else {
            queue(many.size()).addAll(many);
        }
        queuedBytes += total;
    }

    /**
     * At the end of a poller round (on the poller thread, which set {@code writing} when it queued the
     * round's first frame): writes everything queued in the round in one call, like a direct write.
     */
    private void flushRound() {
        ByteBuffer[] buffers;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            byte[][] frames = queue.frames();
            buffers = new ByteBuffer[queue.size()];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = ByteBuffer.wrap(frames[i]);
                queuedBytes -= frames[i].length;
            }
            queue = null; // an idle connection keeps no queue; writeDirect makes one for what is left
        } finally {
            lock.unlock();
        }
        writeDirect(buffers);
    }

    /** Runs on the sending thread, which set {@code writing}. */
    private void writeDirect(ByteBuffer[] buffers) {
        try {
            direct.tryWrite(buffers);
        } catch (IOException e) {
            log.debug("{} direct write failed: {}", session.tag(), e.toString());
            abort();
            return;
        }
        boolean startWriter = false;
        boolean close = false;
        lock.lock();
        try {
            // Others queued behind this write meanwhile (whole frames); the rest goes in front of them.
            for (int i = buffers.length - 1; i >= 0; i--) {
                if (buffers[i].hasRemaining()) {
                    queue(1).addFirst(buffers[i].array());
                    queuedBytes += buffers[i].remaining();
                    headOffset = buffers[i].position();
                }
            }
            if (nothingQueued()) {
                writing = false;
                close = closeWhenDrained;
                signalProgress();
            } else {
                startWriter = true;
            }
        } finally {
            lock.unlock();
        }
        if (startWriter) {
            startWriter();
        } else if (close) {
            endOutput();
        }
    }

    /**
     * Everything including the last frames is written: end the output but keep reading, so unread
     * input cannot turn the close into a reset that destroys the last frames before the peer reads
     * them. The reader closes the connection once the peer has closed (or the drain timeout passed).
     */
    private void endOutput() {
        if (connection instanceof HalfClose h) {
            try {
                h.shutdownOutput();
                lock.lock();
                try {
                    outputEnded = true;
                    signalProgress();
                } finally {
                    lock.unlock();
                }
                return;
            } catch (IOException | RuntimeException e) {
                log.debug("{} could not end output: {}", session.tag(), e.toString());
            }
        }
        abort();
    }

    private void startWriter() {
        Thread.ofVirtual().start(this::drain);
    }

    /**
     * The writer: drains the queue, everything queued per round, one write call per 64 KiB chunk. It
     * takes the queue whole and leaves the one it emptied in its last round in its place.
     */
    private void drain() {
        FrameQueue written = null;
        while (true) {
            FrameQueue batch;
            int offset = 0;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                if (nothingQueued()) {
                    queue = null; // the writer exits: an idle connection keeps no queue
                    writing = false;
                    signalProgress();
                    if (!closeWhenDrained) {
                        return;
                    }
                    batch = null;
                } else {
                    batch = queue;
                    queue = written; // the last round's, emptied (or null: made on the next frame)
                    offset = headOffset;
                    headOffset = 0;
                }
            } finally {
                lock.unlock();
            }
            if (batch == null) {
                endOutput();
                return;
            }
            try {
                ChunkedWrite.write(connection, direct, batch.frames(), batch.size(), offset, this);
            } catch (IOException e) {
                log.debug("{} write failed: {}", session.tag(), e.toString());
                abort();
                return;
            }
            batch.clear();
            written = batch;
        }
    }

    /** On the writer thread: its current chunk's write started, or (0) is over. */
    @Override
    public void writing(long startedNanos) {
        writeStartedNanos = startedNanos;
    }

    /** On the writer thread: a chunk of its batch is out, so that much less is queued and waiters may go on. */
    @Override
    public void written(long bytes) {
        lock.lock();
        try {
            queuedBytes -= bytes;
            signalProgress();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (on the session's own reader thread) until at most {@code bytes} are queued: backpressure
     * for a client's own large replies, which must not count against other senders.
     */
    void awaitBelow(long bytes, long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!closed && queuedBytes > bytes && left > 0) {
                left = progress().awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes queued or being written right now. */
    long queued() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the writer has been blocked in one write for longer than {@code nanos}: the peer stopped
     * reading. Such a queue says nothing about the server's own pace and must not slow senders down.
     */
    boolean writeBlockedLongerThan(long nanos) {
        long started = writeStartedNanos;
        return started != 0 && System.nanoTime() - started > nanos;
    }

    /** Queues the last frames (ignoring the limit) and closes the connection once they are written. */
    void finish(List<byte[]> last) {
        boolean startWriter = false;
        boolean close = false;
        lock.lock();
        try {
            if (closed || closeWhenDrained) {
                return;
            }
            for (byte[] f : last) {
                queue(1).add(f);
                queuedBytes += f.length;
            }
            closeWhenDrained = true;
            if (!writing) {
                if (nothingQueued()) {
                    close = true;
                } else {
                    writing = true;
                    startWriter = true;
                }
            }
        } finally {
            lock.unlock();
        }
        long bytes = 0;
        for (byte[] f : last) {
            bytes += f.length;
        }
        counters.sent(last.size(), bytes);
        if (startWriter) {
            startWriter();
        } else if (close) {
            endOutput();
        }
    }

    /** Writes the frames only if that cannot block (nothing else is being written), then closes. */
    void bestEffortThenClose(List<byte[]> last) {
        boolean mine = false;
        lock.lock();
        try {
            if (!closed && !writing && direct != null) {
                writing = true;
                mine = true;
            }
        } finally {
            lock.unlock();
        }
        if (mine) {
            ByteBuffer[] buffers = last.stream().map(ByteBuffer::wrap).toArray(ByteBuffer[]::new);
            try {
                direct.tryWrite(buffers);
            } catch (IOException e) {
                log.debug("{} last write failed: {}", session.tag(), e.toString());
            }
        }
        abort();
    }

    /** Closes the connection now, dropping what is queued. Idempotent, any thread. */
    void abort() {
        lock.lock();
        try {
            closed = true;
            queue = null;
            headOffset = 0;
            signalProgress();
        } finally {
            lock.unlock();
        }
        connection.close();
    }

    /**
     * Waits until the last frames are out (output ended or connection closed) or the timeout passes.
     *
     * @return true if the connection is closed, false if only its output ended (or time ran out)
     */
    boolean awaitFinished(long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!closed && !outputEnded && left > 0) {
                left = progress().awaitNanos(left);
            }
            return closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** The queue in place right now (null if none), for tests. */
    FrameQueue queueNow() {
        lock.lock();
        try {
            return queue;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (at most {@code timeoutNanos}) until no thread is writing, then tells whether a queue is
     * still held: an idle connection must hold none. For tests.
     */
    boolean holdsQueueOnceIdle(long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (writing && !closed && left > 0) {
                left = progress().awaitNanos(left);
            }
            return queue != null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return queue != null;
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock. */
    private boolean nothingQueued() {
        return queue == null || queue.isEmpty();
    }

    /** Guarded by lock: the queue, made (with room for at least {@code adding} frames) if there is none. */
    private FrameQueue queue(int adding) {
        FrameQueue q = queue;
        if (q == null) {
            q = new FrameQueue(adding);
            queue = q;
        }
        return q;
    }

    /** Guarded by lock. */
    private Condition progress() {
        Condition c = progress;
        if (c == null) {
            c = lock.newCondition();
            progress = c;
        }
        return c;
    }

    /** Guarded by lock: wakes whoever waits for the queue to shrink or the output to end. */
    private void signalProgress() {
        if (progress != null) {
            progress.signalAll();
        }
    }

    /** Nanos the writer has been stuck in its current write, 0 if it is not writing. */
    long stalledNanos(long now) {
        long started = writeStartedNanos;
        return started == 0 ? 0 : now - started;
    }
}
