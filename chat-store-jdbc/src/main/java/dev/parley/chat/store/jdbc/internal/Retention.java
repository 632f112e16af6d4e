package dev.parley.chat.store.jdbc.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Deletes old messages: per conversation, everything but the newest {@code maxMessages}, and everything
 * older than {@code maxAge}. Heads stay. Each delete is its own short transaction (an index range on
 * {@code (conversation, seq)} or on {@code created_ms}), so appends are never blocked for long.
 * One pass at a time: the background thread and {@link #purge()} callers share {@link #lock}.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final DataSource dataSource;
    private final Tables tables;
    private final int maxMessages;
    private final Duration maxAge;
    private final Clock clock;
    private final int queryTimeoutSeconds;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: per conversation, the seq up to which messages were already deleted. */
    private final Map<String, Long> purgedUpTo = new HashMap<>();

    /**
     * @param maxMessages messages kept per conversation, 0 for no count limit
     * @param maxAge messages older than this are deleted, {@code null} for no age limit
     * @param queryTimeoutSeconds per statement, 0 for none
     */
    public Retention(DataSource dataSource, Tables tables, int maxMessages, Duration maxAge, Clock clock,
            int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.tables = tables;
        this.maxMessages = maxMessages;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Runs one pass now and returns how many messages it deleted. */
    public long purge() throws SQLException {
        lock.lock();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            long deleted = 0;
            if (maxMessages > 0) {
                deleted += purgeByCount(c);
            }
            if (maxAge != null) {
                try (PreparedStatement ps = Sql.prepare(c, tables.deleteOlderThan, queryTimeoutSeconds)) {
                    ps.setLong(1, clock.millis() - maxAge.toMillis());
                    deleted += ps.executeUpdate();
                }
            }
            if (deleted > 0) {
                LOG.debug("Retention deleted {} messages from {}", deleted, tables.message);
            }
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    private long purgeByCount(Connection c) throws SQLException {
        List<Map.Entry<String, Long>> over = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, tables.conversationsOverLimit, queryTimeoutSeconds)) {
            ps.setLong(1, maxMessages);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    over.add(Map.entry(rs.getString(1), rs.getLong(2) - maxMessages));
                }
            }
        }
        long deleted = 0;
        try (PreparedStatement ps = Sql.prepare(c, tables.deleteUpTo, queryTimeoutSeconds)) {
            for (Map.Entry<String, Long> e : over) {
                Long done = purgedUpTo.get(e.getKey());
                if (done != null && done >= e.getValue()) {
                    continue;
                }
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue());
                deleted += ps.executeUpdate();
                purgedUpTo.put(e.getKey(), e.getValue());
            }
        }
        return deleted;
    }
}
