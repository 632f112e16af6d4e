package dev.parley.chat.store.jdbc.internal;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.jdbc.JdbcDialect;
import dev.parley.chat.store.jdbc.TransactionGuard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one batch of append requests in one transaction on a given connection: runs the
 * {@link TransactionGuard} (if set), looks client ids up first if asked to (the careful path after a
 * unique-key conflict), assigns seqs through its {@link Heads} (a head cache, or head rows locked in
 * the database on PostgreSQL), inserts the new messages with one statement or one JDBC batch, moves
 * the heads, and commits. A message whose client id is already stored, or repeats one earlier in the
 * batch, is answered as a duplicate and not inserted again.
 *
 * <p><b>Threads.</b> Belongs to the {@link GroupCommitWriter}'s writer thread alone (so do its heads);
 * it needs no lock. Only its two counters (read by {@link GroupCommitWriter#transactions} and
 * {@link GroupCommitWriter#committedMessages}) are read by other threads, and they are atomic.
 *
 * <p><b>Failures.</b> All or nothing: on any failure the heads of the batch's conversations are
 * forgotten (reloaded from the database next time) and the exception is thrown as it came; the caller
 * must then roll back and drop the connection. Retries are the caller's decision.
 */
final class BatchWrite {

    private record ClientKey(String conversation, String sender, String clientId) {
    }

    private final Tables tables;
    private final int queryTimeoutSeconds;
    private final Heads heads;
    private final TransactionGuard guard;
    /** Committed transactions that inserted at least one message, and the messages they inserted. */
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong committedMessages = new AtomicLong();

    /**
     * @param headCacheSize conversation heads kept in memory (not on PostgreSQL, which locks them in the
     *     database instead)
     * @param queryTimeoutSeconds per statement, 0 for none
     * @param guard run first in every transaction, or {@code null}
     */
    BatchWrite(JdbcDialect dialect, Tables tables, int headCacheSize, int queryTimeoutSeconds,
            TransactionGuard guard) {
        this.tables = tables;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.heads = dialect == JdbcDialect.POSTGRESQL ? new LockedHeads(tables, queryTimeoutSeconds)
                : new CachedHeads(tables, queryTimeoutSeconds, headCacheSize);
        this.guard = guard;
    }

    /**
     * Writes the requests (each a list of messages) in one transaction on {@code c} and commits; returns
     * each request's results in order. On failure forgets the heads involved and throws; the caller rolls
     * back and drops {@code c}.
     *
     * @param careful look up client ids in the database first (after a unique-key conflict); with
     *     {@link LockedHeads} the lookups come after the head rows are locked, so a concurrent writer's
     *     message with the same id has committed by then and is found
     */
    List<List<AppendResult>> write(Connection c, List<List<NewMessage>> requests, boolean careful)
            throws SQLException {
        TreeSet<String> conversations = new TreeSet<>();
        try {
            if (guard != null) {
                guard.check(c);
            }
            for (List<NewMessage> r : requests) {
                for (NewMessage m : r) {
                    conversations.add(m.conversation());
                }
            }
            Map<ClientKey, StoredMessage> found = new HashMap<>();
            Map<String, Long> before = null;
            if (careful) {
                before = heads.lock(c, conversations);
                for (List<NewMessage> r : requests) {
                    for (NewMessage m : r) {
                        ClientKey key = keyOf(m);
                        if (key != null && !found.containsKey(key)) {
                            StoredMessage earlier = lookup(c, key);
                            if (earlier != null) {
                                found.put(key, earlier);
                            }
                        }
                    }
                }
            }
            // Pass 1: which messages are new (not stored before, not a repeat within the batch).
            TreeMap<String, Integer> counts = new TreeMap<>();
            Set<ClientKey> seen = new HashSet<>();
            for (List<NewMessage> r : requests) {
                for (NewMessage m : r) {
                    ClientKey key = keyOf(m);
                    if (key == null || (!found.containsKey(key) && seen.add(key))) {
                        counts.merge(m.conversation(), 1, Integer::sum);
                    }
                }
            }
            if (before == null) {
                before = counts.isEmpty() ? Map.of() : heads.reserve(c, counts);
            }
            // Pass 2: the same decisions, now with seqs.
            Map<String, Long> next = new HashMap<>(before);
            List<StoredMessage> inserts = new ArrayList<>();
            List<List<AppendResult>> results = new ArrayList<>(requests.size());
            for (List<NewMessage> r : requests) {
                List<AppendResult> out = new ArrayList<>(r.size());
                for (NewMessage m : r) {
                    ClientKey key = keyOf(m);
                    StoredMessage earlier = key == null ? null : found.get(key);
                    if (earlier != null) {
                        out.add(new AppendResult(earlier, true));
                        continue;
                    }
                    long seq = next.merge(m.conversation(), 1L, Long::sum);
                    StoredMessage stored = new StoredMessage(m.conversation(), seq, m.sender(), m.text(),
                            Instant.ofEpochMilli(m.time().toEpochMilli()), m.clientId());
                    inserts.add(stored);
                    if (key != null) {
                        found.put(key, stored);
                    }
                    out.add(new AppendResult(stored, false));
                }
                results.add(List.copyOf(out));
            }
            next.keySet().retainAll(counts.keySet());
            if (!inserts.isEmpty()) {
                insert(c, inserts);
                heads.finish(c, careful, before, next);
            }
            c.commit();
            heads.committed(next);
            if (!inserts.isEmpty()) {
                transactions.incrementAndGet();
                committedMessages.addAndGet(inserts.size());
            }
            return results;
        } catch (SQLException | RuntimeException e) {
            heads.forget(conversations);
            throw e;
        }
    }

    /** Committed transactions that inserted at least one message; any thread may read it. */
    long transactions() {
        return transactions.get();
    }

    /** Messages inserted by committed transactions; any thread may read it. */
    long committedMessages() {
        return committedMessages.get();
    }

    private static ClientKey keyOf(NewMessage m) {
        return m.clientId() == null ? null : new ClientKey(m.conversation(), m.sender(), m.clientId());
    }

    private StoredMessage lookup(Connection c, ClientKey key) throws SQLException {
        return Reads.findByClientId(c, tables, queryTimeoutSeconds, key.conversation(), key.sender(), key.clientId());
    }

    private void insert(Connection c, List<StoredMessage> inserts) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, tables.insertMessage, queryTimeoutSeconds)) {
            for (StoredMessage s : inserts) {
                ps.setString(1, s.conversation());
                ps.setLong(2, s.seq());
                ps.setString(3, s.sender());
                ps.setString(4, s.clientId());
                ps.setString(5, s.text());
                ps.setLong(6, s.time().toEpochMilli());
                if (inserts.size() == 1) {
                    ps.executeUpdate();
                    return;
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
