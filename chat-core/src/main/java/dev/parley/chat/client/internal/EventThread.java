package dev.parley.chat.client.internal;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that runs a session's listener callbacks and completes its futures: a virtual thread
 * draining a queue. Events run one at a time in the order they were posted.
 *
 * <p>{@link #post} never blocks (it is called under the session lock), so the queue itself has no
 * bound. The bound is applied where the events come from: the socket reader calls
 * {@link #awaitRoom} between reads, and waits there while more than {@code max} events are queued,
 * until the listener has worked the queue down to half of that. A read adds at most the frames of
 * one buffer, so the queue stays within {@code max} plus one read's frames.
 */
final class EventThread {
    private static final Logger log = LoggerFactory.getLogger(EventThread.class);
    private static final Runnable STOP = () -> {
    };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final int max;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    /** Whether a reader waits in {@link #awaitRoom}; read by the event thread after each event. */
    private volatile boolean readerWaiting;
    private volatile boolean stopped;
    /** Cleared by {@link #stopThrottling()}: the reader no longer waits. */
    private volatile boolean throttling = true;

    /**
     * @param name the thread's name
     * @param max how many queued events make {@link #awaitRoom} wait
     */
    EventThread(String name, int max) {
        this.max = max;
        this.thread = Thread.ofVirtual().name(name).start(this::run);
    }

    /** Queues an event; ignored once {@link #shutdown()} was called. Never blocks. */
    void post(Runnable event) {
        if (!stopped) {
            queue.add(event);
        }
    }

    /**
     * Returns at once while at most {@code max} events are queued; otherwise waits until the listener
     * has brought the queue down to {@code max / 2}, or the thread is stopped. While it waits it calls
     * {@code stillWaiting} about once a second (the reader uses this to tell its idle watchdog that
     * the silence is the listener's, not the server's).
     */
    void awaitRoom(Runnable stillWaiting) throws InterruptedException {
        if (queue.size() <= max || !throttling) {
            return;
        }
        lock.lock();
        try {
            readerWaiting = true;
            // The event thread takes before it reads readerWaiting; this side writes readerWaiting
            // before it reads the size: one of the two sees the other, so no wake-up is missed.
            while (queue.size() > max / 2 && throttling && !stopped && thread.isAlive()) {
                stillWaiting.run();
                drained.await(1, TimeUnit.SECONDS);
            }
        } finally {
            readerWaiting = false;
            lock.unlock();
        }
    }

    /**
     * From now on {@link #awaitRoom} returns at once: the session is closing and its reader must reach
     * the server's {@code BYE} whatever the listener's backlog.
     */
    void stopThrottling() {
        throttling = false;
        wakeReader();
    }

    /** Runs what is queued so far, then ends the thread. Idempotent. */
    void shutdown() {
        if (!stopped) {
            stopped = true;
            queue.add(STOP);
            wakeReader();
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

    private void wakeReader() {
        lock.lock();
        try {
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            while (true) {
                Runnable event;
                try {
                    event = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (readerWaiting && queue.size() <= max / 2) {
                    wakeReader();
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
        } finally {
            wakeReader();
        }
    }
}
