package dev.parley.chat.store.jdbc.internal;

/**
 * The table names and every SQL statement the store runs, for one table prefix. Identifiers cannot be
 * bound as parameters, so the prefix is validated by the builder ({@code [A-Za-z][A-Za-z0-9_]*}) before
 * it gets here; every value is bound through {@link java.sql.PreparedStatement}.
 */
public final class Tables {
    /** The prefix the shipped schema files use. */
    public static final String DEFAULT_PREFIX = "parley_";

    final String message;
    final String conversation;
    final String schemaVersion;

    final String insertMessage;
    final String selectHead;
    final String insertHead;
    final String updateHead;
    final String readAfter;
    final String readBefore;
    final String findByClientId;
    final String conversations;
    final String conversationsOverLimit;
    final String deleteUpTo;
    final String deleteOlderThan;
    final String selectVersion;
    final String probeMessage;
    final String probeConversation;

    public Tables(String prefix) {
        message = prefix + "message";
        conversation = prefix + "conversation";
        schemaVersion = prefix + "schema_version";
        String columns = "seq, sender, client_id, body, created_ms";
        insertMessage = "INSERT INTO " + message
                + " (conversation, seq, sender, client_id, body, created_ms) VALUES (?, ?, ?, ?, ?, ?)";
        selectHead = "SELECT head FROM " + conversation + " WHERE conversation = ?";
        insertHead = "INSERT INTO " + conversation + " (conversation, head) VALUES (?, ?)";
        updateHead = "UPDATE " + conversation + " SET head = ? WHERE conversation = ? AND head = ?";
        readAfter = "SELECT " + columns + " FROM " + message
                + " WHERE conversation = ? AND seq > ? ORDER BY seq ASC LIMIT ?";
        readBefore = "SELECT " + columns + " FROM " + message
                + " WHERE conversation = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
        findByClientId = "SELECT " + columns + " FROM " + message
                + " WHERE conversation = ? AND sender = ? AND client_id = ?";
        conversations = "SELECT conversation FROM " + conversation + " WHERE head > 0";
        conversationsOverLimit = "SELECT conversation, head FROM " + conversation + " WHERE head > ?";
        deleteUpTo = "DELETE FROM " + message + " WHERE conversation = ? AND seq <= ?";
        deleteOlderThan = "DELETE FROM " + message + " WHERE created_ms < ?";
        selectVersion = "SELECT MAX(version) FROM " + schemaVersion;
        probeMessage = "SELECT conversation, " + columns + " FROM " + message + " WHERE 1 = 0";
        probeConversation = "SELECT conversation, head FROM " + conversation + " WHERE 1 = 0";
    }

    /** Reads the newest messages below a seq, newest first: conversation, beforeSeq, limit. */
    public String readBeforeSql() {
        return readBefore;
    }

    /** Reads the oldest messages above a seq, oldest first: conversation, afterSeq, limit. */
    public String readAfterSql() {
        return readAfter;
    }

    /** Reads a conversation's head: conversation. */
    public String headSql() {
        return selectHead;
    }

    /** Finds a message by client id: conversation, sender, clientId. */
    public String findByClientIdSql() {
        return findByClientId;
    }

    /** Lists the conversations with a head above 0. */
    public String conversationsSql() {
        return conversations;
    }

    /** The message table's name. */
    public String messageTable() {
        return message;
    }

    /** The conversation (head) table's name. */
    public String conversationTable() {
        return conversation;
    }

    /** The schema version table's name. */
    public String schemaVersionTable() {
        return schemaVersion;
    }
}
