package dev.parley.chat.client.internal;

import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes to a connection, and its one queue. Everything the session sends goes
 * through it: HELLO, requests, PONGs, the watchdog's PING, rejoins, catch-up pages, QUIT. Adding never
 * blocks, so neither the socket reader nor an application thread ever waits for the server to read.
 *
 * <p>Each round takes everything queued (up to {@value #ROUND_BYTES} bytes) and writes it with one
 * call. A write that fails closes the connection; the reader then sees the end.
 *
 * <p>Once {@code WELCOME} announced the server's rate limit ({@link #pace}), the writer keeps below
 * it ({@link Pacer}): a line waits in the queue until the bucket has a token for it, so the server
 * never refuses a frame with {@code RATE_LIMITED} that this client sent. A PONG is free at the
 * server; it is queued apart ({@link #enqueueFree}) and goes out ahead of paced lines.
 */
final class LinkWriter {
    private static final Logger log = LoggerFactory.getLogger(LinkWriter.class);
    private static final int ROUND_BYTES = 64 * 1024;

    private final String tag;
    private final Connection connection;
    private final Scheduler clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    /** Lines the server does not count against the rate limit (PONG): never paced. */
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private Pacer pacer = Pacer.UNLIMITED;
    /** Queued plus being written. */
    private long bytes;
    private boolean closed;
    // Written by the writer thread, read by the watchdog.
    private volatile boolean writing;
    private volatile long writeStarted;

    LinkWriter(String tag, Connection connection, Scheduler clock) {
        this.tag = tag;
        this.connection = connection;
        this.clock = clock;
    }

    /** Starts the writer thread. */
    void start() {
        Thread.ofVirtual().name("parley-client-writer-" + tag).start(this::run);
    }

    /**
     * Queues one encoded line. Never blocks.
     *
     * @return false if the writer is closed (the line is dropped)
     */
    boolean enqueue(byte[] line) {
        return add(line, Long.MAX_VALUE, queue);
    }

    /**
     * Queues a line the server does not count against the rate limit (a PONG that answers its PING),
     * ahead of the paced ones. Never blocks.
     *
     * @return false if the writer is closed (the line is dropped)
     */
    boolean enqueueFree(byte[] line) {
        return add(line, Long.MAX_VALUE, free);
    }

    /** From now on, keep below this limit ({@code null}: none). Called when WELCOME arrives. */
    void pace(dev.parley.chat.protocol.ServerMessage.RateLimit limit) {
        lock.lock();
        try {
            pacer = Pacer.of(limit, clock.nanoTime());
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues one encoded line unless that would make more than {@code maxBytes} wait (queued or being
     * written). Never blocks.
     *
     * @return false if the writer is closed or that much already waits (the line is dropped)
     */
    boolean offer(byte[] line, long maxBytes) {
        return add(line, maxBytes, queue);
    }

    /** How long the current write has been blocked, on the session's clock; 0 when not writing. */
    long stalledNanos(long now) {
        if (!writing) {
            return 0;
        }
        // Read after writing: the start of this write or of a later one, never of an earlier one.
        return Math.max(0, now - writeStarted);
    }

    /** Stops the thread and drops what is queued. Does not close the connection. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            free.clear();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean add(byte[] line, long maxBytes, ArrayDeque<byte[]> to) {
        lock.lock();
        try {
            if (closed || bytes + line.length > maxBytes) {
                return false;
            }
            to.add(line);
            bytes += line.length;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock: waits until closed, a free line waits, or a paced one and its token. */
    private void awaitWork() throws InterruptedException {
        while (!closed && free.isEmpty()) {
            if (queue.isEmpty()) {
                notEmpty.await();
                continue;
            }
            long wait = pacer.nanosUntilToken(clock.nanoTime());
            if (wait == 0) {
                return;
            }
            notEmpty.awaitNanos(wait);
        }
    }

    private void run() {
        try {
            while (true) {
                ByteBuffer[] round;
                long n = 0;
                lock.lock();
                try {
                    awaitWork();
                    if (closed) {
                        return;
                    }
                    List<ByteBuffer> taken = new ArrayList<>();
                    while (!free.isEmpty()) {
                        byte[] line = free.poll();
                        taken.add(ByteBuffer.wrap(line));
                        n += line.length;
                    }
                    long now = clock.nanoTime();
                    while (!queue.isEmpty() && (taken.isEmpty() || n + queue.peek().length <= ROUND_BYTES)
                            && pacer.tryTake(now)) {
                        byte[] line = queue.poll();
                        taken.add(ByteBuffer.wrap(line));
                        n += line.length;
                    }
                    round = taken.toArray(ByteBuffer[]::new);
                } finally {
                    lock.unlock();
                }
                writeStarted = clock.nanoTime();
                writing = true;
                try {
                    connection.write(round);
                } finally {
                    writing = false;
                }
                lock.lock();
                try {
                    bytes -= n;
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            log.debug("{} write failed: {}", tag, e.toString());
            connection.close();
            close();
        } catch (InterruptedException e) {
            close();
        }
    }
}
