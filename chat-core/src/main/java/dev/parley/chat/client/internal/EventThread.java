package dev.parley.chat.client.internal;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that runs a session's listener callbacks and completes its futures: a virtual thread
 * draining an unbounded queue, so the socket reader never waits for the application. Events run one at
 * a time in the order they were posted.
 */
final class EventThread {
    private static final Logger log = LoggerFactory.getLogger(EventThread.class);
    private static final Runnable STOP = () -> {
    };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    EventThread(String name) {
        this.thread = Thread.ofVirtual().name(name).start(this::run);
    }

    /** Queues an event; ignored once {@link #shutdown()} was called. */
    void post(Runnable event) {
        if (!stopped) {
            queue.add(event);
        }
    }

    /** Runs what is queued so far, then ends the thread. Idempotent. */
    void shutdown() {
        if (!stopped) {
            stopped = true;
            queue.add(STOP);
        }
    }

    /** Whether the caller is the event thread itself. */
    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** Waits until the thread has ended; false if it had not within the timeout. */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    private void run() {
        while (true) {
            Runnable event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (event == STOP) {
                return;
            }
            try {
                event.run();
            } catch (Throwable t) {
                log.warn("chat listener threw; ignoring it", t);
            }
        }
    }
}
