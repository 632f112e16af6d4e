package dev.parley.chat.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A check run first in every transaction that appends messages, on that transaction's connection, so
 * the database itself can refuse writes: a cluster node checks (and share-locks) its own row, so a
 * node declared dead can commit nothing more even if it does not know yet (see the {@code chat-cluster}
 * module). Set with {@link JdbcMessageStore.Builder#transactionGuard(TransactionGuard)}.
 *
 * <p>The guard runs on the store's writer thread, once per transaction (a group-commit batch), with
 * auto-commit off; it must not commit, roll back or close the connection.
 */
@FunctionalInterface
public interface TransactionGuard {

    /**
     * Checks that this transaction may write.
     *
     * @param connection the transaction's connection
     * @throws SQLException if the database failed (the store's usual retry and failure rules apply)
     * @throws dev.parley.chat.store.StoreException to refuse: the whole batch fails at once with this
     *     exception, nothing is stored and nothing is retried
     */
    void check(Connection connection) throws SQLException;
}
