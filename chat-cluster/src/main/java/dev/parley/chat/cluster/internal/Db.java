package dev.parley.chat.cluster.internal;

import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.jdbc.JdbcStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the cluster's short transactions on the shared data source: auto-commit off, commit at the end,
 * rollback on failure, and a retry (up to three tries) when PostgreSQL aborted the transaction for a
 * deadlock or a serialization failure, which is safe because nothing of an aborted transaction stays.
 * Every failure reaches the caller as a {@link StoreException}.
 */
public final class Db {
    private static final Logger log = LoggerFactory.getLogger(Db.class);
    private static final int TRIES = 3;

    /** One transaction's work. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final int queryTimeoutSeconds;

    /**
     * @param queryTimeoutSeconds per statement, 0 for none
     */
    public Db(DataSource dataSource, int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** The data source. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Runs {@code work} in one transaction and commits it.
     *
     * @param what what is being done, for the exception's message
     * @throws StoreException if the database failed (nothing of the work stays), or the work threw one
     */
    public <T> T transaction(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (attempt < TRIES && retryable(e)) {
                    log.debug("{}: retrying after {} (SQLState {})", what, e.getMessage(), e.getSQLState());
                    continue;
                }
                throw new JdbcStoreException(what, e);
            }
        }
    }

    /** Runs {@code work} on a connection in auto-commit mode (reads). */
    public <T> T read(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            throw new JdbcStoreException(what, e);
        }
    }

    /** Prepares a statement with the query timeout. */
    public PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        if (queryTimeoutSeconds > 0) {
            ps.setQueryTimeout(queryTimeoutSeconds);
        }
        return ps;
    }

    /** Deadlock detected (40P01) or serialization failure (40001): PostgreSQL aborted the transaction. */
    static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40P01".equals(state) || "40001".equals(state);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is given back (or discarded by the pool); its transaction dies with it
        }
    }

    /** Whether a store failure is the node being fenced (rather than the database failing). */
    public static boolean isFenced(StoreException e) {
        return e instanceof FencedException;
    }
}
