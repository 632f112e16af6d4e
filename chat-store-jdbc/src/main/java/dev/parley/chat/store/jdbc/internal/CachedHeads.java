package dev.parley.chat.store.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Heads remembered in memory (least recently used dropped first; a miss costs one indexed read), for
 * one writer per set of tables: the writer reads nothing per message. On update it checks that no one
 * else moved a head meanwhile ({@code UPDATE .. WHERE head = before}); if another writer did, the
 * transaction fails as a unique-key conflict, the heads involved are forgotten and the writer's careful
 * retry reads them again. Several stores on the same tables thus stay correct but may fail appends
 * under contention: on PostgreSQL the store uses {@link LockedHeads} instead.
 */
final class CachedHeads implements Heads {
    private final Tables tables;
    private final int queryTimeoutSeconds;
    private final LinkedHashMap<String, Long> cache;

    CachedHeads(Tables tables, int queryTimeoutSeconds, int cacheSize) {
        this.tables = tables;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > cacheSize;
            }
        };
    }

    @Override
    public Map<String, Long> reserve(Connection c, SortedMap<String, Integer> counts) throws SQLException {
        return load(c, counts.keySet());
    }

    @Override
    public Map<String, Long> lock(Connection c, SortedSet<String> conversations) throws SQLException {
        return load(c, conversations);
    }

    private Map<String, Long> load(Connection c, Set<String> conversations) throws SQLException {
        Map<String, Long> heads = new HashMap<>(conversations.size() * 2);
        PreparedStatement ps = null;
        try {
            for (String conversation : conversations) {
                Long cached = cache.get(conversation);
                if (cached == null) {
                    if (ps == null) {
                        ps = Sql.prepare(c, tables.selectHead, queryTimeoutSeconds);
                    }
                    ps.setString(1, conversation);
                    try (ResultSet rs = ps.executeQuery()) {
                        cached = rs.next() ? rs.getLong(1) : 0;
                    }
                }
                heads.put(conversation, cached);
            }
            return heads;
        } finally {
            Sql.closeQuietly(ps);
        }
    }

    /** Moves every head forward, refusing to move one that another writer moved meanwhile. */
    @Override
    public void finish(Connection c, boolean afterLock, Map<String, Long> before, Map<String, Long> next)
            throws SQLException {
        List<Map.Entry<String, Long>> updates = new ArrayList<>();
        List<Map.Entry<String, Long>> creates = new ArrayList<>();
        for (Map.Entry<String, Long> e : next.entrySet()) {
            (before.get(e.getKey()) == 0 ? creates : updates).add(e);
        }
        if (!updates.isEmpty()) {
            try (PreparedStatement ps = Sql.prepare(c, tables.updateHead, queryTimeoutSeconds)) {
                for (Map.Entry<String, Long> e : updates) {
                    ps.setLong(1, e.getValue());
                    ps.setString(2, e.getKey());
                    ps.setLong(3, before.get(e.getKey()));
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    // SUCCESS_NO_INFO: the driver does not say; the (conversation, seq) key still guards us.
                    if (counts[i] == 0) {
                        throw new SQLException("head of conversation moved by another writer: "
                                + updates.get(i).getKey(), "23000");
                    }
                }
            }
        }
        if (!creates.isEmpty()) {
            try (PreparedStatement ps = Sql.prepare(c, tables.insertHead, queryTimeoutSeconds)) {
                for (Map.Entry<String, Long> e : creates) {
                    ps.setString(1, e.getKey());
                    ps.setLong(2, e.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    @Override
    public void committed(Map<String, Long> next) {
        cache.putAll(next);
    }

    @Override
    public void forget(Collection<String> conversations) {
        for (String conversation : conversations) {
            cache.remove(conversation);
        }
    }
}
