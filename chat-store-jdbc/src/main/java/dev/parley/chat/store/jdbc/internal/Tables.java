package dev.parley.chat.store.jdbc.internal;

/**
 * The table names and every SQL statement the store runs, for one table prefix (and, on PostgreSQL,
 * one schema). Identifiers cannot be bound as parameters, so the prefix is validated by the builder
 * ({@code [A-Za-z][A-Za-z0-9_]*}) and the schema name is quoted ({@link #quote}) before they get here;
 * every value is bound through {@link java.sql.PreparedStatement}.
 */
public final class Tables {
    /** The prefix the shipped schema files use. */
    public static final String DEFAULT_PREFIX = "parley_";

    final String message;
    final String conversation;
    final String schemaVersion;
    /** For messages: the table names as created, and the schema they are in (if named). */
    final String plainMessage;
    final String plainConversation;
    final String plainSchemaVersion;
    final String inSchema;

    final String insertMessage;
    final String selectHead;
    final String insertHead;
    final String updateHead;
    final String readAfter;
    final String readBefore;
    final String readRange;
    final String findByClientId;
    final String conversations;
    final String conversationsOverLimit;
    final String deleteUpTo;
    final String deleteOlderThan;
    final String selectVersion;
    final String probeMessage;
    final String probeConversation;
    final String lockHeads;
    final String setHead;

    /** Tables with this prefix, unqualified (found through the connection's default schema). */
    public Tables(String prefix) {
        this(prefix, null);
    }

    /**
     * Tables with this prefix in this schema.
     *
     * @param schema the schema the tables live in, or {@code null} for the connection's default
     */
    public Tables(String prefix, String schema) {
        String in = schema == null ? "" : quote(schema) + ".";
        message = in + prefix + "message";
        conversation = in + prefix + "conversation";
        schemaVersion = in + prefix + "schema_version";
        plainMessage = prefix + "message";
        plainConversation = prefix + "conversation";
        plainSchemaVersion = prefix + "schema_version";
        inSchema = schema == null ? "" : " (schema " + schema + ")";
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
        readRange = "SELECT " + columns + " FROM " + message
                + " WHERE conversation = ? AND seq >= ? AND seq < ? ORDER BY seq ASC";
        findByClientId = "SELECT " + columns + " FROM " + message
                + " WHERE conversation = ? AND sender = ? AND client_id = ?";
        conversations = "SELECT conversation FROM " + conversation + " WHERE head > 0";
        conversationsOverLimit = "SELECT conversation, head FROM " + conversation + " WHERE head > ?";
        deleteUpTo = "DELETE FROM " + message + " WHERE conversation = ? AND seq <= ?";
        deleteOlderThan = "DELETE FROM " + message + " WHERE created_ms < ?";
        selectVersion = "SELECT MAX(version) FROM " + schemaVersion;
        probeMessage = "SELECT conversation, " + columns + " FROM " + message + " WHERE 1 = 0";
        probeConversation = "SELECT conversation, head FROM " + conversation + " WHERE 1 = 0";
        // PostgreSQL only (LockedHeads): creates missing heads and moves every head forward by its count,
        // locking the rows in conversation order (the same order in every transaction: no deadlock).
        lockHeads = "INSERT INTO " + conversation + " AS h (conversation, head)"
                + " SELECT c, n FROM unnest(CAST(? AS VARCHAR(200)[]), CAST(? AS BIGINT[])) AS u(c, n) ORDER BY c"
                + " ON CONFLICT (conversation) DO UPDATE SET head = h.head + EXCLUDED.head"
                + " RETURNING conversation, head";
        setHead = "UPDATE " + conversation + " SET head = ? WHERE conversation = ?";
    }

    /** A PostgreSQL identifier in double quotes (embedded quotes doubled). */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Reads the newest messages below a seq, newest first: conversation, beforeSeq, limit. */
    public String readBeforeSql() {
        return readBefore;
    }

    /** Reads a closed-open seq range, oldest first: conversation, fromSeq (inclusive), toSeq (exclusive). */
    public String readRangeSql() {
        return readRange;
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
