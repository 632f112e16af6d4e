package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import dev.parley.chat.cluster.Doorbell;
import dev.parley.chat.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Doorbell}: PostgreSQL {@code LISTEN}/{@code NOTIFY} through the pgjdbc driver.
 *
 * <p><b>Sending.</b> {@link #announce} only queues. A sender thread waits {@code batchDelay} after the
 * first queued announcement, merges what came meanwhile ({@link Payloads}) and sends it with
 * {@code pg_notify} in one short transaction of its own: never inside a message transaction, because a
 * transaction that notified takes a database-wide lock at commit that serialises every notifying
 * commit. A failed send is dropped after one retry (the receivers' safety poll covers it). What is
 * queued when the doorbell closes is still sent.
 *
 * <p><b>Receiving.</b> A listener thread holds one dedicated connection, {@code LISTEN}s on the
 * cluster's channel and polls {@link PGConnection#getNotifications(int)}. Every few seconds without a
 * notification it runs {@code SELECT 1}, so a connection that died silently is noticed. When the
 * connection is lost it is opened again (backing off up to 2 s) and, once listening again, the
 * receiver is told {@link Receiver#mayHaveMissed() it may have missed some}.
 *
 * <p>The channel is named after the schema and table prefix, so several clusters in one database do
 * not hear each other. Notifications from this doorbell itself are skipped (each payload names its
 * sender).
 */
public final class PgDoorbell implements Doorbell {
    private static final Logger log = LoggerFactory.getLogger(PgDoorbell.class);
    private static final int POLL_MILLIS = 500;
    private static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final DataSource dataSource;
    private final String channel;
    private final String applicationName;
    private final long batchDelayNanos;
    private final String sender = UUID.randomUUID().toString().substring(0, 13);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    /** Guarded by lock. */
    private List<Announcement> queue = new ArrayList<>();
    /** Guarded by lock. */
    private boolean closed;

    private volatile Receiver receiver;
    private volatile Thread listener;
    private volatile Thread senderThread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();

    /**
     * @param channel the NOTIFY channel (at most 63 bytes)
     * @param nodeName names the listening connection in {@code pg_stat_activity}:
     *     {@code parley-doorbell:NODE}
     * @param batchDelay how long the sender gathers announcements before sending them
     */
    public PgDoorbell(DataSource dataSource, String channel, String nodeName, Duration batchDelay) {
        this.dataSource = dataSource;
        this.channel = channel;
        String app = "parley-doorbell:" + nodeName;
        this.applicationName = app.length() > 63 ? app.substring(0, 63) : app;
        this.batchDelayNanos = batchDelay.toNanos();
    }

    /** The channel name for a cluster's schema and table prefix (hashed if it would be too long). */
    public static String channelFor(String schema, String prefix) {
        String name = "parley:" + (schema == null ? "" : schema) + ":" + prefix;
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63) {
            return name;
        }
        return "parley:" + Integer.toHexString(name.hashCode()) + ":" + Integer.toHexString(name.length());
    }

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
        CountDownLatch listening = new CountDownLatch(1);
        StoreException[] failure = new StoreException[1];
        Thread l = Thread.ofPlatform().daemon(true).name("parley-doorbell-listen").unstarted(() -> listen(listening, failure));
        Thread s = Thread.ofPlatform().daemon(true).name("parley-doorbell-send").unstarted(this::send);
        this.listener = l;
        this.senderThread = s;
        l.start();
        s.start();
        try {
            if (!listening.await(30, TimeUnit.SECONDS)) {
                close();
                throw new StoreException("doorbell: LISTEN " + channel + " did not succeed within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new StoreException("doorbell: interrupted while starting");
        }
        if (failure[0] != null) {
            close();
            throw failure[0];
        }
    }

    @Override
    public void announce(Announcement announcement) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            queue.add(announcement);
            if (queue.size() == 1) {
                queued.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Payloads sent (for tests and stats). */
    public long sent() {
        return sent.get();
    }

    /** How many times the listening connection was opened again. */
    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queued.signalAll();
        } finally {
            lock.unlock();
        }
        join(listener); // leaves its poll within POLL_MILLIS

        join(senderThread);
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            if (!t.join(Duration.ofSeconds(10))) {
                t.interrupt();
                t.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ sender thread

    private void send() {
        Connection c = null;
        try {
            while (true) {
                List<Announcement> batch;
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed) {
                        queued.await();
                    }
                    if (closed && queue.isEmpty()) {
                        return;
                    }
                    if (batchDelayNanos > 0) {
                        long left = batchDelayNanos;
                        while (left > 0 && !closed) {
                            left = queued.awaitNanos(left);
                        }
                    }
                    batch = queue;
                    queue = new ArrayList<>();
                } finally {
                    lock.unlock();
                }
                List<String> payloads = Payloads.encode(sender, batch);
                for (int attempt = 1; attempt <= 2; attempt++) {
                    try {
                        if (c == null) {
                            c = dataSource.getConnection();
                            c.setAutoCommit(false);
                        }
                        notify(c, payloads);
                        sent.addAndGet(payloads.size());
                        break;
                    } catch (SQLException e) {
                        closeQuietly(c);
                        c = null;
                        if (attempt == 2) {
                            log.warn("Doorbell could not announce {} changes ({}); the other nodes' safety poll will find them",
                                    batch.size(), e.toString());
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            log.debug("Doorbell sender interrupted");
        } finally {
            closeQuietly(c);
        }
    }

    private void notify(Connection c, List<String> payloads) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (String p : payloads) {
                ps.setString(1, channel);
                ps.setString(2, p);
                ps.executeQuery().close();
            }
            c.commit();
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is closed next
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ listener thread

    private void listen(CountDownLatch started, StoreException[] failure) {
        long backoffMillis = 100;
        boolean first = true;
        while (!isClosed()) {
            Connection c = null;
            try {
                c = dataSource.getConnection();
                c.setAutoCommit(true);
                PGConnection pg = c.unwrap(PGConnection.class);
                try (Statement s = c.createStatement()) {
                    // named in pg_stat_activity (and findable by an operator or a test)
                    s.execute("SET application_name = '" + applicationName.replace("'", "''") + "'");
                    s.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
                }
                if (isClosed()) {
                    return;
                }
                if (first) {
                    first = false;
                    started.countDown();
                } else {
                    reconnects.incrementAndGet();
                    log.info("Doorbell listening again on {}; re-reading what may have been missed", channel);
                    receiver.mayHaveMissed();
                }
                backoffMillis = 100;
                poll(c, pg);
            } catch (SQLException e) {
                if (isClosed()) {
                    return;
                }
                if (first) {
                    failure[0] = new StoreException("doorbell: cannot LISTEN on " + channel + ": " + e.getMessage(), e);
                    started.countDown();
                    return;
                }
                log.warn("Doorbell connection lost ({}); listening again in {} ms", e.toString(), backoffMillis);
                sleep(backoffMillis);
                backoffMillis = Math.min(2_000, backoffMillis * 2);
            } catch (RuntimeException e) {
                log.error("Doorbell listener failed", e);
                if (first) {
                    failure[0] = new StoreException("doorbell: " + e, e);
                    started.countDown();
                    return;
                }
                sleep(backoffMillis);
            } finally {
                unlistenQuietly(c); // a pooled connection goes back without the subscription
                closeQuietly(c);
            }
        }
    }

    private void poll(Connection c, PGConnection pg) throws SQLException {
        long quietSince = System.nanoTime();
        while (!isClosed()) {
            PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
            if (notifications == null || notifications.length == 0) {
                if (System.nanoTime() - quietSince > KEEPALIVE_NANOS) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT 1"); // a dead connection fails here
                    }
                    quietSince = System.nanoTime();
                }
                continue;
            }
            quietSince = System.nanoTime();
            List<Announcement> batch = new ArrayList<>();
            for (PGNotification n : notifications) {
                Payloads.Decoded d = Payloads.decode(n.getParameter());
                if (!d.sender().equals(sender)) {
                    batch.addAll(d.announcements());
                }
            }
            if (!batch.isEmpty()) {
                try {
                    receiver.received(batch);
                } catch (RuntimeException e) {
                    log.warn("Doorbell receiver failed on {} announcements", batch.size(), e);
                }
            }
        }
    }

    private static void unlistenQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            if (!c.isClosed()) {
                try (Statement s = c.createStatement()) {
                    s.execute("UNLISTEN *");
                    s.execute("RESET application_name");
                }
            }
        } catch (SQLException | RuntimeException ignored) {
            // a broken connection: the pool discards it
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // gone either way
        }
    }

    @Override
    public String toString() {
        return "PgDoorbell[channel=" + channel + ", sent=" + sent.get() + ", reconnects=" + reconnects.get() + "]";
    }
}
