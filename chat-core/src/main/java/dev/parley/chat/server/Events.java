package dev.parley.chat.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link ServerListener} events on one dedicated virtual thread through a bounded queue.
 * {@link #post} never blocks: when the queue is full the event is dropped and counted.
 */
final class Events {
    private static final Logger log = LoggerFactory.getLogger(Events.class);
    private static final Consumer<ServerListener> STOP = l -> { };

    private final ServerListener listener;
    private final BlockingQueue<Consumer<ServerListener>> queue;
    private final Counters counters;
    private final Thread thread;

    Events(ServerListener listener, int capacity, Counters counters, String name) {
        this.listener = listener;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.counters = counters;
        this.thread = listener == null ? null : Thread.ofVirtual().name(name).unstarted(this::run);
    }

    void start() {
        if (thread != null) {
            thread.start();
        }
    }

    void post(Consumer<ServerListener> event) {
        if (listener != null && !queue.offer(event)) {
            counters.listenerDropped();
        }
    }

    private void run() {
        while (true) {
            Consumer<ServerListener> event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (event == STOP) {
                return;
            }
            try {
                event.accept(listener);
            } catch (Throwable t) {
                log.warn("chat listener {} threw", listener.getClass().getName(), t);
            }
        }
    }

    /** Delivers what is queued (waiting at most {@code millis}), then stops the thread. */
    void stop(long millis) {
        if (thread == null) {
            return;
        }
        if (Thread.currentThread() == thread) { // ChatServer.close() called from a listener
            queue.clear();
            queue.offer(STOP);
            return;
        }
        if (!queue.offer(STOP)) {
            thread.interrupt();
        }
        try {
            if (!thread.join(java.time.Duration.ofMillis(Math.max(1, millis)))) {
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
