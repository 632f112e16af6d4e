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

    private void run() {
        try {
            while (!closed) {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    NioConnection connection = (NioConnection) key.attachment();
                    int ready;
                    try {
                        ready = key.readyOps();
                        key.interestOpsAnd(~ready);
                    } catch (java.nio.channels.CancelledKeyException e) {
                        ready = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
                    }
                    connection.ready(ready);
                }
            }
        } catch (ClosedSelectorException e) {
            // closed
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.warn("poller {} failed", thread.getName(), e);
            }
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
