package dev.parley.chat.server;

import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one timer thread: every tick it checks each connection's deadlines (handshake, ping,
 * write stall, close) and ends the ordered-delivery waits whose bound passed; once a minute it drops
 * the direct conversations nobody here takes part in ({@link RoomDirectory#retireIdleDirects}).
 * Closing a connection unblocks its reader; nothing here blocks on a socket.
 */
final class Reaper {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    /** How often idle direct conversations are dropped. */
    static final long DIRECT_SWEEP_NANOS = 60_000_000_000L;

    private final Admission admission;
    private final GapWaits waits;
    private final RoomDirectory directory;
    private final Ticker ticker;
    private final long tickMillis;
    private Thread thread;
    /** One pass at a time (the reaper thread's, or a test's). */
    private final ReentrantLock passLock = new ReentrantLock();
    /** Guarded by passLock: when the next sweep of direct conversations is due. */
    private long nextSweep;

    Reaper(Admission admission, GapWaits waits, RoomDirectory directory, Ticker ticker, long tickMillis) {
        this.admission = admission;
        this.waits = waits;
        this.directory = directory;
        this.ticker = ticker;
        this.tickMillis = tickMillis;
        this.nextSweep = ticker.nanoTime() + DIRECT_SWEEP_NANOS;
    }

    void start(String name) {
        thread = Thread.ofVirtual().name(name).start(this::run);
    }

    void stop() {
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            pass();
        }
    }

    /** One pass; waits for a pass running on another thread to end first. */
    void pass() {
        passLock.lock();
        try {
            passLocked();
        } finally {
            passLock.unlock();
        }
    }

    private void passLocked() {
        long now = ticker.nanoTime();
        for (Session s : admission.sessions()) {
            try {
                s.checkDeadlines(now);
            } catch (RuntimeException e) {
                log.warn("{} deadline check failed", s.tag(), e);
            }
        }
        try {
            waits.check();
        } catch (RuntimeException e) {
            log.warn("checking delivery waits failed", e);
        }
        if (now - nextSweep >= 0) {
            nextSweep = now + DIRECT_SWEEP_NANOS;
            try {
                int dropped = directory.retireIdleDirects();
                if (dropped > 0) {
                    log.debug("dropped {} idle direct conversations", dropped);
                }
            } catch (RuntimeException e) {
                log.warn("dropping idle direct conversations failed", e);
            }
        }
    }
}
