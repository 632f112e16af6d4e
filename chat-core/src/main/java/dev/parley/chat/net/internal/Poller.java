package dev.parley.chat.net.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread with a {@link Selector} that wakes the virtual threads waiting on non-blocking
 * socket channels ({@link NioConnection}). It only turns readiness into signals; it never reads or
 * writes. Interest is one-shot: the poller clears the ops it reported, a waiter re-arms them.
 */
public final class Poller implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Poller.class);

    private final Selector selector;
    private final Thread thread;
    private volatile boolean closed;
    private final WarnLimiter warnings = new WarnLimiter(java.time.Duration.ofSeconds(10));

    /** Opens the selector and starts the poller thread under this name. */
    public Poller(String threadName) throws IOException {
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
        thread.start();
    }

    SelectionKey register(SocketChannel channel, NioConnection connection) throws IOException {
        // Since JDK 11 register() does not block while another thread is inside select().
        return channel.register(selector, 0, connection);
    }

    /** Adds interest in {@code ops} for the key and makes the selector see it. */
    void arm(SelectionKey key, int ops) {
        key.interestOpsOr(ops);
        selector.wakeup();
    }

    /** Cancels the key and wakes the selector so the channel's socket is really closed now. */
    void cancel(SelectionKey key) {
        key.cancel();
        selector.wakeup();
    }

    /**
     * Every plain connection of the binding depends on this thread: it survives any failure (an
     * {@code OutOfMemoryError} included), with a short pause while failures repeat, and ends only when
     * the poller is closed. A key whose wake-up failed gets its interest back, so the next select
     * reports it again and its waiter is not left hanging.
     */
    private void run() {
        long backoffMillis = 0;
        while (!closed) {
            try {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    dispatch(key);
                }
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

    private void dispatch(SelectionKey key) {
        NioConnection connection = (NioConnection) key.attachment();
        int ready;
        try {
            ready = key.readyOps();
            key.interestOpsAnd(~ready);
        } catch (java.nio.channels.CancelledKeyException e) {
            ready = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
        }
        try {
            connection.ready(ready);
        } catch (Throwable t) {
            try {
                key.interestOpsOr(ready); // reported again by the next select
            } catch (RuntimeException cancelled) {
                // closed meanwhile: nobody waits
            }
            throw t;
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
