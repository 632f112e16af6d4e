package dev.parley.chat.store.jdbc.internal;

import dev.parley.chat.store.StoredMessage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** Maps result rows ({@code seq, sender, client_id, body, created_ms}) to messages. */
public final class Rows {
    private Rows() {
    }

    /** The message in the current row. */
    public static StoredMessage message(String conversation, ResultSet rs) throws SQLException {
        return new StoredMessage(conversation, rs.getLong(1), rs.getString(2), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5)), rs.getString(3));
    }
}
