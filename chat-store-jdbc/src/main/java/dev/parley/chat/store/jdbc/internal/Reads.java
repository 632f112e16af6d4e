package dev.parley.chat.store.jdbc.internal;

import dev.parley.chat.store.StoredMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The store's read queries: range reads, heads, client-id lookups and the list of conversations. Each
 * call borrows a connection from the data source and gives it back; arguments are checked by the caller,
 * and an {@link SQLException} reaches the caller unwrapped. Thread safe (no state of its own).
 */
public final class Reads {
    private final DataSource dataSource;
    private final Tables tables;
    private final int queryTimeoutSeconds;

    public Reads(DataSource dataSource, Tables tables, int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** Up to {@code limit} messages with seq above {@code afterSeq}, oldest first. */
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) throws SQLException {
        return read(tables.readAfterSql(), conversation, afterSeq, limit, false);
    }

    /** The newest {@code limit} messages with seq below {@code beforeSeq}, oldest first. */
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) throws SQLException {
        if (beforeSeq <= 1) {
            return List.of();
        }
        // Seqs have no gaps, so the newest `limit` messages below `top` are normally exactly
        // [top - limit, top): a bounded index range of `limit` rows. (The open query below,
        // seq < ? ORDER BY seq DESC LIMIT ?, makes H2 read and sort every row under `before`:
        // 50,001 rows for a 50-row page in the benchmark.) Retention only deletes from the old end,
        // so a short range means holes: then the open query gives the right answer.
        long top = Math.min(beforeSeq, head(conversation) + 1);
        if (top <= 1) {
            return List.of();
        }
        long from = Math.max(1, top - limit);
        List<StoredMessage> range = read(tables.readRangeSql(), conversation, from, top, false);
        if (range.size() == top - from) {
            return range;
        }
        return read(tables.readBeforeSql(), conversation, top, limit, true);
    }

    /**
     * Runs a read whose parameters are the conversation and two numbers (a seq and a limit, or the two
     * ends of a seq range), oldest first when {@code reverse} turns a newest-first query around.
     */
    private List<StoredMessage> read(String sql, String conversation, long first, long second, boolean reverse)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = Sql.prepare(c, sql, queryTimeoutSeconds)) {
            ps.setString(1, conversation);
            ps.setLong(2, first);
            ps.setLong(3, second);
            List<StoredMessage> result = new ArrayList<>(64);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(Rows.message(conversation, rs));
                }
            }
            if (reverse) {
                Collections.reverse(result);
            }
            return result;
        }
    }

    /** The conversation's head seq, 0 if it has none. */
    public long head(String conversation) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = Sql.prepare(c, tables.headSql(), queryTimeoutSeconds)) {
            ps.setString(1, conversation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The message this sender stored with this client id in this conversation, if any. */
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(findByClientId(c, tables, queryTimeoutSeconds, conversation, sender, clientId));
        }
    }

    /**
     * The same lookup on a connection the caller holds (the group-commit writer's, inside its
     * transaction), or {@code null} if there is no such message.
     */
    static StoredMessage findByClientId(Connection c, Tables tables, int queryTimeoutSeconds, String conversation,
            String sender, String clientId) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, tables.findByClientIdSql(), queryTimeoutSeconds)) {
            ps.setString(1, conversation);
            ps.setString(2, sender);
            ps.setString(3, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.message(conversation, rs) : null;
            }
        }
    }

    /** Every conversation with a head, in String order whatever the database's collation. */
    public List<String> conversations() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = Sql.prepare(c, tables.conversationsSql(), queryTimeoutSeconds)) {
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            keys.sort(null);
            return keys;
        }
    }
}
