package dev.parley.chat.store.jdbc.internal;

import dev.parley.chat.store.jdbc.JdbcDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Small JDBC helpers: classifying failures and closing quietly. */
public final class Sql {
    private Sql() {
    }

    /**
     * Prepares a statement with a query timeout, so a database that hangs (rather than refusing) fails
     * the call instead of blocking it forever.
     *
     * @param timeoutSeconds 0 for no timeout
     */
    public static PreparedStatement prepare(Connection c, String sql, int timeoutSeconds) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        if (timeoutSeconds > 0) {
            try {
                ps.setQueryTimeout(timeoutSeconds);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(ps);
                throw e;
            }
        }
        return ps;
    }

    /** Whether the failure is a unique-key (or other integrity) violation. */
    public static boolean isConstraintViolation(SQLException e, JdbcDialect dialect) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if (state != null && state.startsWith("23")) {
                return true;
            }
            // sqlite-jdbc reports SQLITE_CONSTRAINT (19), or an extended code whose low byte is 19.
            if (dialect == JdbcDialect.SQLITE && (x.getErrorCode() & 0xff) == 19) {
                return true;
            }
            if (x.getNextException() == x) {
                break;
            }
        }
        return false;
    }

    /** Whether the failure says the connection or the database is gone (as opposed to bad data). */
    public static boolean isConnectionFailure(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    /** Rolls back, ignoring failure (the connection is discarded after a failure anyway). */
    static void rollbackQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException | RuntimeException ignored) {
            // the connection is closed next; its transaction dies with it
        }
    }

    /** Closes, ignoring failure. */
    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing useful to do: the resource is gone either way
        }
    }
}
