package dev.parley.chat.spring;

import dev.parley.chat.store.jdbc.SchemaMode;
import java.time.Duration;

/** {@code parley.store.*}: where history is kept, and the JDBC store's settings. */
public class ParleyStoreProperties {
    /** Where history is kept: AUTO uses the application's DataSource when there is one, else memory. */
    private Type type = Type.AUTO;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    /** The JDBC store's settings (when the application's DataSource is used). */
    private final Jdbc jdbc = new Jdbc();

    public Jdbc getJdbc() {
        return jdbc;
    }

    /** The JDBC store's settings (JdbcMessageStore.Builder). */
    public static class Jdbc {
        /** Prefix of the store's table names. */
        private String tablePrefix = "parley_";

        /** Whether the store creates its tables or only validates them. */
        private SchemaMode schemaMode = SchemaMode.CREATE_IF_MISSING;

        /** Whether concurrent appends share transactions. */
        private boolean groupCommit = true;

        /** Most messages per group-commit transaction. */
        private int maxBatch = 512;

        /** Longest a group-commit writer waits for more appends (0..1s). */
        private Duration maxWait = Duration.ofMillis(1);

        /** Keep at most this many messages per conversation; 0: no count limit. */
        private int retentionMessages = 0;

        /** Delete messages older than this; no age limit when not set. */
        private Duration retentionAge;

        /** How often the retention pass runs. */
        private Duration retentionInterval = Duration.ofMinutes(1);

        /** Conversation heads the writer keeps in memory. */
        private int headCacheSize = 100_000;

        /** Query timeout of every statement; 0 for none. */
        private Duration queryTimeout = Duration.ofSeconds(30);

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        public SchemaMode getSchemaMode() {
            return schemaMode;
        }

        public void setSchemaMode(SchemaMode schemaMode) {
            this.schemaMode = schemaMode;
        }

        public boolean isGroupCommit() {
            return groupCommit;
        }

        public void setGroupCommit(boolean groupCommit) {
            this.groupCommit = groupCommit;
        }

        public int getMaxBatch() {
            return maxBatch;
        }

        public void setMaxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
        }

        public Duration getMaxWait() {
            return maxWait;
        }

        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }

        public int getRetentionMessages() {
            return retentionMessages;
        }

        public void setRetentionMessages(int retentionMessages) {
            this.retentionMessages = retentionMessages;
        }

        public Duration getRetentionAge() {
            return retentionAge;
        }

        public void setRetentionAge(Duration retentionAge) {
            this.retentionAge = retentionAge;
        }

        public Duration getRetentionInterval() {
            return retentionInterval;
        }

        public void setRetentionInterval(Duration retentionInterval) {
            this.retentionInterval = retentionInterval;
        }

        public int getHeadCacheSize() {
            return headCacheSize;
        }

        public void setHeadCacheSize(int headCacheSize) {
            this.headCacheSize = headCacheSize;
        }

        public Duration getQueryTimeout() {
            return queryTimeout;
        }

        public void setQueryTimeout(Duration queryTimeout) {
            this.queryTimeout = queryTimeout;
        }

    }

    /** Where history is kept. */
    public enum Type {
        /** The application's DataSource when there is one, else memory. */
        AUTO,
        /** The application's DataSource (required). */
        JDBC,
        /** In memory: lost when the application stops. */
        MEMORY
    }
}
