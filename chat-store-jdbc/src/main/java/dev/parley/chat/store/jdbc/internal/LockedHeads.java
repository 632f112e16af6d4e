package dev.parley.chat.store.jdbc.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Heads kept and locked in the database (PostgreSQL): the seq is assigned by the database, for any
 * number of writers on any number of nodes. One statement per transaction,
 * {@code INSERT .. SELECT unnest(..) ORDER BY conversation ON CONFLICT DO UPDATE SET head = head + n
 * RETURNING head}, creates missing head rows (race-free: a concurrent creator waits for the other's
 * commit, then updates), moves every head forward by its count and returns the new heads, locking the
 * rows in conversation order (the same order in every transaction, so two batches that share
 * conversations never deadlock). The locks are held to commit, so seq N+1 never commits before seq N:
 * commit order is seq order, and a reader that saw seq N has seen everything below it.
 *
 * <p>It costs what {@link CachedHeads} costs: one statement on the heads per transaction (it only moves
 * before the inserts instead of after them), and no head is ever read separately.
 */
final class LockedHeads implements Heads {
    private final Tables tables;
    private final int queryTimeoutSeconds;

    LockedHeads(Tables tables, int queryTimeoutSeconds) {
        this.tables = tables;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    @Override
    public Map<String, Long> reserve(Connection c, SortedMap<String, Integer> counts) throws SQLException {
        return upsert(c, counts.keySet().toArray(new String[0]), counts.values().stream().map(Long::valueOf)
                .toArray(Long[]::new), counts);
    }

    @Override
    public Map<String, Long> lock(Connection c, SortedSet<String> conversations) throws SQLException {
        Long[] zeros = new Long[conversations.size()];
        java.util.Arrays.fill(zeros, 0L);
        return upsert(c, conversations.toArray(new String[0]), zeros, null);
    }

    private Map<String, Long> upsert(Connection c, String[] keys, Long[] counts, Map<String, Integer> reserved)
            throws SQLException {
        Array keyArray = c.createArrayOf("varchar", keys);
        Array countArray = c.createArrayOf("bigint", counts);
        try (PreparedStatement ps = Sql.prepare(c, tables.lockHeads, queryTimeoutSeconds)) {
            ps.setArray(1, keyArray);
            ps.setArray(2, countArray);
            Map<String, Long> before = new HashMap<>(keys.length * 2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    long head = rs.getLong(2);
                    before.put(key, reserved == null ? head : head - reserved.get(key));
                }
            }
            if (before.size() != keys.length) {
                throw new SQLException("head upsert returned " + before.size() + " rows for " + keys.length
                        + " conversations", "XX000");
            }
            return before;
        } finally {
            keyArray.free();
            countArray.free();
        }
    }

    @Override
    public void finish(Connection c, boolean afterLock, Map<String, Long> before, Map<String, Long> next)
            throws SQLException {
        if (!afterLock || next.isEmpty()) {
            return; // reserve() moved them already
        }
        try (PreparedStatement ps = Sql.prepare(c, tables.setHead, queryTimeoutSeconds)) {
            for (Map.Entry<String, Long> e : next.entrySet()) {
                ps.setLong(1, e.getValue());
                ps.setString(2, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void committed(Map<String, Long> next) {
        // nothing cached
    }

    @Override
    public void forget(Collection<String> conversations) {
        // nothing cached
    }
}
