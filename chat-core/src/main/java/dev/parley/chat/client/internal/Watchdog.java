package dev.parley.chat.client.internal;

import dev.parley.chat.protocol.ClientMessage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a dead connection: after half the idle timeout without a frame from the server it queues
 * {@code PING token=idle} (a live server answers), and after the whole of it, or when one write has
 * been blocked that long (a server that stopped reading), it closes the connection with
 * {@link Link#idle} set, so the session reconnects with reason {@code timeout}. A server that vanished
 * without closing its socket (a suspended laptop, a dropped network) is otherwise never noticed.
 *
 * <p>Runs on the session's timer thread, one task at a time, re-armed after each check.
 */
final class Watchdog {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);
    private static final long MIN_DELAY = TimeUnit.MILLISECONDS.toNanos(1);

    private final Link link;
    private final Scheduler scheduler;
    private final long timeout;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private Scheduler.Cancellable next;
    private boolean stopped;
    /** Only touched by the timer thread. */
    private boolean pinged;

    Watchdog(Link link, Scheduler scheduler, long timeoutNanos) {
        this.link = link;
        this.scheduler = scheduler;
        this.timeout = timeoutNanos;
    }

    void start() {
        arm(timeout / 2);
    }

    /** Cancels the next check; the watchdog never runs again. Idempotent. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            if (next != null) {
                next.cancel();
                next = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private void arm(long delay) {
        lock.lock();
        try {
            if (!stopped) {
                next = scheduler.schedule(Math.max(delay, MIN_DELAY), this::check);
            }
        } finally {
            lock.unlock();
        }
    }

    private void check() {
        long now = scheduler.nanoTime();
        long silent = now - link.lastInbound;
        long stalled = link.writeStalledNanos(now);
        if (silent >= timeout || stalled >= timeout) {
            log.debug("{} {} for {}ms; closing", link.tag,
                    silent >= timeout ? "nothing from the server" : "a write blocked", TimeUnit.NANOSECONDS.toMillis(timeout));
            link.idle = true;
            link.close();
            return;
        }
        if (silent < timeout / 2) {
            pinged = false;
        } else if (!pinged && link.registered) {
            pinged = true;
            link.send(new ClientMessage.Ping("idle", null));
        }
        long delay = silent < timeout / 2 ? timeout / 2 - silent : timeout - silent;
        if (stalled > 0) {
            delay = Math.min(delay, timeout - stalled);
        }
        arm(delay);
    }
}
