package dev.parley.chat.net.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread with a {@link Selector} for the non-blocking socket channels of a binding
 * ({@link NioConnection}). It reads: a readable channel gets one non-blocking {@code read} into the
 * poller's buffer, copied into that connection's inbox, and its reader is woken; read interest stays
 * on until the input ends or the inbox is full. Write interest is one-shot, set by a writer that
 * found the socket full and cleared when reported. The poller itself never waits; what runs on it is
 * the reader's callback ({@link InputChunks#takeOrCallBack}), which the server lets handle a small
 * read in place only where nothing can block, with non-blocking writes only.
 *
 * <p>Code that runs on the poller thread (a reader handling a small read in place) may leave work for
 * the end of the current round with {@link #atRoundEnd}: once every key one {@code select} reported
 * has been handled, the poller runs those tasks in order. The server uses it to write a
 * connection's replies, and whatever else the connection gets in the same round, in one call, as
 * an event loop that flushes after its reads does. A round's keys are collected before any is
 * handled, so that while the earlier ones are, a connection that the round will still read says so
 * ({@link NioConnection#readLaterThisRound()}): a frame for it can wait for the round's end too and
 * go out with its replies.
 */
public final class Poller implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Poller.class);

    /** The size of one read. */
    private static final int READ_BUFFER = 64 * 1024;

    private final Selector selector;
    private final PollerThread thread;
    /** Every read lands here first (poller thread only); a direct buffer spares the JDK's copy. */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(READ_BUFFER);
    /** Selector wake-ups asked for by other threads (registrations, re-armed interest, cancels). */
    private final AtomicLong wakeups = new AtomicLong();
    private volatile boolean closed;
    private final WarnLimiter warnings = new WarnLimiter(java.time.Duration.ofSeconds(10));
    /** The keys one select reported, handled in order once it returns (poller thread only). */
    private SelectionKey[] round = new SelectionKey[64];
    /** How many of {@link #round} are this round's. */
    private int roundSize;
    /** The select's action, made once: a method reference to an instance is a new object each time. */
    private final Consumer<SelectionKey> collector = this::collect;

    /** Opens the selector and starts the poller thread under this name. */
    public Poller(String threadName) throws IOException {
        this.selector = Selector.open();
        this.thread = new PollerThread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Whether the calling thread is a poller's: a callback of {@link InputChunks} that runs there may
     * do non-blocking work in place, but must never wait.
     */
    public static boolean onPollerThread() {
        return Thread.currentThread() instanceof PollerThread;
    }

    /**
     * On a poller thread, runs {@code task} once the keys of the current round have been handled and
     * returns true; on any other thread does nothing and returns false. The task runs on the poller
     * thread, so it must not block; one that throws is logged and the others still run.
     */
    public static boolean atRoundEnd(Runnable task) {
        if (Thread.currentThread() instanceof PollerThread p) {
            p.roundEnd.add(task);
            return true;
        }
        return false;
    }

    /** Whether the calling thread is this poller's. */
    boolean isPollerThread() {
        return Thread.currentThread() == thread;
    }

    /** Marks the threads of pollers, for {@link #onPollerThread}, and holds their round-end tasks. */
    private static final class PollerThread extends Thread {
        /** Tasks for the end of the current round ({@link #atRoundEnd}); this thread only. */
        final ArrayList<Runnable> roundEnd = new ArrayList<>();

        PollerThread(Runnable task, String name) {
            super(null, task, name, 0, false);
        }
    }

    /** Registers the channel for reading; the selector sees it from its next select on. */
    SelectionKey register(SocketChannel channel, NioConnection connection) throws IOException {
        // Since JDK 11 register() does not block while another thread is inside select(), but the
        // new interest takes effect only when that select returns.
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ, connection);
        wakeup();
        return key;
    }

    /** Adds interest in {@code ops} for the key and makes the selector see it. */
    void arm(SelectionKey key, int ops) {
        key.interestOpsOr(ops);
        wakeup();
    }

    /** Cancels the key and wakes the selector so the channel's socket is really closed now. */
    void cancel(SelectionKey key) {
        key.cancel();
        wakeup();
    }

    private void wakeup() {
        wakeups.incrementAndGet();
        selector.wakeup();
    }

    /**
     * How many times another thread woke the selector: once per connection registered and closed,
     * and once per write that found a socket full or read paused by a full inbox; never per read.
     */
    long wakeups() {
        return wakeups.get();
    }

    /**
     * Every plain connection of the binding depends on this thread: it survives any failure (an
     * {@code OutOfMemoryError} included), with a short pause while failures repeat, and ends only when
     * the poller is closed. A writer whose wake-up failed gets its interest back, so the next select
     * reports it again; a read that failed for memory ends that connection's input (a read whose
     * bytes could not be kept cannot be repeated).
     */
    private void run() {
        long backoffMillis = 0;
        while (!closed) {
            try {
                pollRound();
                backoffMillis = 0;
            } catch (ClosedSelectorException e) {
                return;
            } catch (Throwable t) {
                if (closed) {
                    return;
                }
                backoffMillis = Math.min(100, Math.max(1, backoffMillis * 2));
                try {
                    long held = warnings.tryAcquire();
                    if (held >= 0) {
                        log.warn("poller {} failed ({} more since the last report), going on", thread.getName(),
                                held, t);
                    }
                    Thread.sleep(backoffMillis);
                } catch (Throwable ignored) {
                    // out of memory or interrupted: go on
                }
            }
        }
    }

    /**
     * One round: a select, its keys handled, then the round-end tasks. A method of its own, not the
     * body of {@link #run}'s loop, because the JIT compiles a method once it has been called often
     * enough, but a loop that never returns only by on-stack replacement, after tens of thousands of
     * iterations: at a few hundred rounds a second the loop would stay interpreted for minutes.
     */
    private void pollRound() throws IOException {
        try {
            // The action form: no selected-key set to fill, iterate and empty each round. The keys
            // are collected first, so that a connection knows, while the round's earlier keys are
            // handled, that it will still be read in this round.
            selector.select(collector);
            handleRound();
        } finally {
            forgetRound();
            endRound();
        }
    }

    /** Runs the round-end tasks, in order, including any they add; every one even if some fail. */
    private void endRound() {
        ArrayList<Runnable> tasks = thread.roundEnd;
        for (int i = 0; i < tasks.size(); i++) {
            try {
                tasks.get(i).run();
            } catch (Throwable t) {
                try {
                    long held = warnings.tryAcquire();
                    if (held >= 0) {
                        log.warn("poller {}: a task at the end of a round failed ({} more since the last report)",
                                thread.getName(), held, t);
                    }
                } catch (Throwable ignored) {
                    // out of memory: the report is lost, the round's other tasks still run
                }
            }
        }
        tasks.clear();
    }

    /** The select's action: adds the key to the round, marking a connection that is to be read. */
    private void collect(SelectionKey key) {
        if (roundSize == round.length) {
            round = java.util.Arrays.copyOf(round, roundSize * 2);
        }
        round[roundSize++] = key;
        try {
            if ((key.readyOps() & SelectionKey.OP_READ) != 0) {
                ((NioConnection) key.attachment()).readLaterThisRound = true;
            }
        } catch (CancelledKeyException e) {
            // closed: dispatch sees it
        }
    }

    /** Handles the round's keys in the order the select reported them. */
    private void handleRound() {
        for (int i = 0; i < roundSize; i++) {
            SelectionKey key = round[i];
            round[i] = null;
            ((NioConnection) key.attachment()).readLaterThisRound = false;
            dispatch(key);
        }
        roundSize = 0;
    }

    /** Drops what is left of a round that failed part way (the selector reports those keys again). */
    private void forgetRound() {
        for (int i = 0; i < roundSize; i++) {
            SelectionKey key = round[i];
            if (key != null) {
                ((NioConnection) key.attachment()).readLaterThisRound = false;
                round[i] = null;
            }
        }
        roundSize = 0;
    }

    private void dispatch(SelectionKey key) {
        NioConnection connection = (NioConnection) key.attachment();
        int ready;
        try {
            ready = key.readyOps();
        } catch (CancelledKeyException e) {
            connection.writable(); // closed: wakes a writer, which then sees it
            return;
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            try {
                key.interestOpsAnd(~SelectionKey.OP_WRITE);
            } catch (CancelledKeyException e) {
                // closed meanwhile: the writer sees it
            }
            try {
                connection.writable();
            } catch (Throwable t) {
                try {
                    key.interestOpsOr(SelectionKey.OP_WRITE); // reported again by the next select
                } catch (RuntimeException cancelled) {
                    // closed meanwhile: nobody waits
                }
                throw t;
            }
        }
        if ((ready & SelectionKey.OP_READ) != 0) {
            connection.readable(key, scratch);
        }
    }

    /** Stops the thread. Connections still registered see their keys cancelled. */
    @Override
    public void close() {
        closed = true;
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing selector", e);
        }
    }
}
