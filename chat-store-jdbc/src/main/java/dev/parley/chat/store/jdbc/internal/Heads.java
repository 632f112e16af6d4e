package dev.parley.chat.store.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * How a write transaction learns, and moves, the heads (highest seq) of the conversations it appends
 * to. Two ways: {@link CachedHeads} remembers heads in memory and checks on update that no one else
 * moved them (one writer per database, any dialect); {@link LockedHeads} locks the head rows in the
 * database (PostgreSQL), so any number of stores, on any number of nodes, append to the same
 * conversations and the database hands out the seqs.
 *
 * <p>Used by the writer thread only, inside its transaction: {@link #reserve} (or {@link #lock} when
 * client ids must be looked up first), the message inserts, {@link #finish}, commit, then
 * {@link #committed}; after a failure, {@link #forget}.
 */
interface Heads {

    /**
     * Before the inserts: reserves {@code counts.get(c)} new seqs in each conversation (all counts at
     * least 1) and returns each conversation's head before the reservation, so the new seqs are
     * {@code head + 1 .. head + count}.
     */
    Map<String, Long> reserve(Connection c, SortedMap<String, Integer> counts) throws SQLException;

    /**
     * The careful path: makes sure no other writer can append to these conversations until this
     * transaction ends (where the strategy can) and returns their heads; {@link #finish} then moves
     * them by what the transaction used.
     */
    Map<String, Long> lock(Connection c, SortedSet<String> conversations) throws SQLException;

    /**
     * After the inserts, before commit: records the new heads ({@code next} per conversation, only
     * conversations whose head moved) as the strategy needs.
     *
     * @param afterLock whether the heads came from {@link #lock} rather than {@link #reserve}
     * @param before the heads {@link #reserve} or {@link #lock} returned
     * @param next the new head of each conversation that got messages
     */
    void finish(Connection c, boolean afterLock, Map<String, Long> before, Map<String, Long> next)
            throws SQLException;

    /** After commit: the new heads are durable. */
    void committed(Map<String, Long> next);

    /** After a failed transaction: nothing known about these conversations can be trusted. */
    void forget(Collection<String> conversations);
}
