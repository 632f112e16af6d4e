package dev.parley.chat.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one timer thread: every tick it checks each connection's deadlines (handshake, ping,
 * write stall, close) and ends the ordered-delivery waits whose bound passed. Closing a connection
 * unblocks its reader; nothing here blocks on a socket.
 */
final class Reaper {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    private final Admission admission;
    private final GapWaits waits;
    private final Ticker ticker;
    private final long tickMillis;
    private Thread thread;

    Reaper(Admission admission, GapWaits waits, Ticker ticker, long tickMillis) {
        this.admission = admission;
        this.waits = waits;
        this.ticker = ticker;
        this.tickMillis = tickMillis;
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

    /** One pass. */
    void pass() {
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
    }
}
