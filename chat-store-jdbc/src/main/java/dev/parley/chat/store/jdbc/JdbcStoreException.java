package dev.parley.chat.store.jdbc;

import dev.parley.chat.store.StoreException;

import java.sql.SQLException;

/**
 * A database operation of {@link JdbcMessageStore} failed. Its message names the operation, the
 * database's message, the SQL state and the vendor code, e.g.
 * {@code "append of 12 messages failed: Connection refused (SQLState 08001, vendor code 0)"}; the
 * {@link SQLException} is the cause. As for every {@link StoreException}, nothing of the failed call
 * was stored.
 */
public class JdbcStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** The SQL state of the cause, or {@code null}. */
    private final String sqlState;
    /** The vendor error code of the cause, 0 if none. */
    private final int vendorCode;

    /**
     * A failure caused by a {@link SQLException}.
     *
     * @param operation what was being done, e.g. {@code "append of 12 messages"}
     * @param cause the database's exception
     */
    public JdbcStoreException(String operation, SQLException cause) {
        super(operation + " failed: " + cause.getMessage() + " (SQLState " + cause.getSQLState()
                + ", vendor code " + cause.getErrorCode() + ")", cause);
        this.sqlState = cause.getSQLState();
        this.vendorCode = cause.getErrorCode();
    }

    /**
     * A failure without a {@link SQLException} (for example a schema that does not validate).
     *
     * @param message what failed and what to do about it
     */
    public JdbcStoreException(String message) {
        super(message);
        this.sqlState = null;
        this.vendorCode = 0;
    }

    /** The SQL state of the database's exception ({@code 08001}: cannot connect), or {@code null}. */
    public String sqlState() {
        return sqlState;
    }

    /** The database's vendor error code, 0 if there is none. */
    public int vendorCode() {
        return vendorCode;
    }
}
