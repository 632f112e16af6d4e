package dev.parley.chat.store.jdbc;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.jdbc.internal.GroupCommitWriter;
import dev.parley.chat.store.jdbc.internal.Retention;
import dev.parley.chat.store.jdbc.internal.Reads;
import dev.parley.chat.store.jdbc.internal.Schema;
import dev.parley.chat.store.jdbc.internal.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link MessageStore} in a relational database through JDBC: H2, PostgreSQL, MariaDB/MySQL or SQLite,
 * on any {@link DataSource} (a connection pool such as HikariCP, or a driver's own data source).
 *
 * <pre>{@code
 * HikariDataSource pool = new HikariDataSource();
 * pool.setJdbcUrl("jdbc:postgresql://db.example.com/chat");
 * pool.setUsername("parley");
 * pool.setPassword(secret);
 * MessageStore store = JdbcMessageStore.builder(pool)   // dialect detected: PostgreSQL
 *         .retention(100_000)                         // keep the newest 100,000 per conversation
 *         .build();                                   // creates the tables if missing
 * }</pre>
 *
 * <h2>Writes: group commit</h2>
 * Every {@link #append} call is queued for one writer virtual thread, which writes whatever is queued
 * (up to {@link Builder#groupCommit(int, Duration) maxBatch} messages, waiting at most {@code maxWait}
 * for callers of the previous batch to come back) in one transaction and then releases each caller
 * whose messages it held. Concurrent senders thus share commits (and the fsync behind each), while
 * each call still returns only once its own messages are committed. With {@code groupCommit(false)}
 * each call gets its own transaction (for comparison). The writer keeps one connection while it works
 * and gives it back after 10 s without work.
 *
 * <h2>Seqs, and several stores on one database</h2>
 * On <b>PostgreSQL</b> the database assigns the seqs: each transaction moves the heads of the
 * conversations it appends to with one statement that locks their rows (in conversation order, so
 * batches never deadlock) until commit, creating missing ones race-free. Any number of stores, in one
 * process or on many nodes, may append to the same conversations at once: seqs stay 1, 2, 3... without
 * gaps, a client id is stored once whichever store receives it, and seq N+1 never commits before seq N.
 * This is what a cluster of servers ({@code chat-cluster}) relies on. On the <b>other databases</b> the
 * writer assigns seqs from a per-conversation head cache and checks, when it moves a head, that no one
 * else did; a second store writing the same tables is detected and retried, but may fail appends under
 * contention: run one store per set of tables there.
 *
 * <p>On PostgreSQL the tables live in the connection's {@code current_schema()}; name a schema with
 * {@code currentSchema=} in the JDBC URL (it is created if missing) so several applications or
 * clusters can share one database. {@link Builder#transactionGuard} adds a check to every write
 * transaction (a cluster node's fencing).
 *
 * <h2>Reads</h2>
 * Reads borrow a connection from the data source per call, so use a pool for anything but tests.
 * History reads are index range scans on the {@code (conversation, seq)} primary key at any depth.
 *
 * <h2>Schema</h2>
 * Three tables, named with a prefix (default {@code parley_}): {@code parley_message},
 * {@code parley_conversation} (the head per conversation) and {@code parley_schema_version}. The SQL is
 * shipped per dialect at {@code dev/parley/chat/store/jdbc/schema/<dialect>/V1__create.sql}
 * ({@link JdbcDialect#schemaResource(int)}); see {@link SchemaMode} for what {@link Builder#build()} does
 * with it.
 *
 * <h2>Retention</h2>
 * With {@link Builder#retention(int)} and/or {@link Builder#retention(Duration)}, one background
 * platform thread ({@code parley-store-retention}) deletes old messages every
 * {@link Builder#retentionInterval(Duration) retentionInterval}; {@link #purgeNow()} runs a pass at once.
 *
 * <h2>Failures</h2>
 * Every {@link SQLException} reaches the caller as a {@link JdbcStoreException} with the SQL state and
 * vendor code in its message, and nothing of the failed call is stored. Nothing needs restarting when
 * the database comes back: the next call takes a fresh connection. One edge is inherent to any
 * database: if the connection breaks during {@code COMMIT}, the database may have committed although
 * the call failed; a resend with the same client id is then answered as a duplicate, never stored twice.
 *
 * <h2>Threads</h2>
 * Thread safe. {@link #close()} lets the writer finish what is queued, stops the writer and retention
 * threads and gives back every connection; it does not close the data source, which the caller owns.
 */
public final class JdbcMessageStore implements MessageStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcMessageStore.class);

    private final DataSource dataSource;
    /** H2 only: a connection held open for the store's lifetime (see the constructor); else null. */
    private final Connection keepOpen;
    private final JdbcDialect dialect;
    private final String tablePrefix;
    private final String schema;
    private final Tables tables;
    private final GroupCommitWriter writer;
    private final Reads reads;
    private final Retention retention;
    private final ScheduledExecutorService retentionExecutor;
    private final AtomicReference<Thread> retentionThread = new AtomicReference<>();
    private final String settings;
    private final int queryTimeoutSeconds;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JdbcMessageStore(Builder b, JdbcDialect dialect) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.tablePrefix = b.tablePrefix;
        this.queryTimeoutSeconds = (int) b.queryTimeout.toSeconds();
        // An embedded H2 database closes when its last connection closes. Reads open a connection each,
        // so between writes every read opened the database file again (30-300 ms a read, measured on a
        // 6,000-message file), and an in-memory database without DB_CLOSE_DELAY=-1 lost its tables as
        // soon as the schema was made. One idle connection held for the store's lifetime prevents both.
        this.keepOpen = dialect == JdbcDialect.H2 ? holdOpen(dataSource) : null;
        try {
            this.schema = Schema.resolve(dataSource, dialect, b.schemaMode);
            this.tables = new Tables(b.tablePrefix, schema);
            Schema.prepare(dataSource, dialect, tables, b.tablePrefix, b.schemaMode);
        } catch (RuntimeException e) {
            release(keepOpen);
            throw e;
        }
        this.settings = "dialect=" + dialect + (schema == null ? "" : ", schema=" + schema)
                + ", tablePrefix=" + b.tablePrefix + ", schemaMode=" + b.schemaMode
                + ", groupCommit=" + b.groupCommit + ", maxBatch=" + b.maxBatch + ", maxWait=" + b.maxWait
                + ", retentionMessages=" + b.retentionMessages + ", retentionAge=" + b.retentionAge
                + ", retentionInterval=" + b.retentionInterval
                + (dialect == JdbcDialect.POSTGRESQL ? ", heads=locked" : ", headCacheSize=" + b.headCacheSize)
                + ", queryTimeout=" + b.queryTimeout + (b.guard == null ? "" : ", transactionGuard=" + b.guard);
        this.reads = new Reads(dataSource, tables, queryTimeoutSeconds);
        this.writer = new GroupCommitWriter(dataSource, dialect, tables, b.groupCommit,
                b.groupCommit ? b.maxBatch : 1, b.maxWait.toNanos(), b.headCacheSize, queryTimeoutSeconds, b.guard);
        if (b.retentionMessages > 0 || b.retentionAge != null) {
            this.retention = new Retention(dataSource, tables, b.retentionMessages, b.retentionAge, b.clock,
                    queryTimeoutSeconds);
            this.retentionExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = Thread.ofPlatform().name("parley-store-retention").daemon(true).unstarted(r);
                retentionThread.set(t);
                return t;
            });
            long every = b.retentionInterval.toMillis();
            retentionExecutor.scheduleWithFixedDelay(this::backgroundPurge, every, every, TimeUnit.MILLISECONDS);
        } else {
            this.retention = null;
            this.retentionExecutor = null;
        }
        writer.start();
        LOG.info("JDBC message store ready ({})", settings);
    }

    private static Connection holdOpen(DataSource dataSource) {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new JdbcStoreException("opening the H2 database", e);
        }
    }

    private static void release(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing the held H2 connection", e);
        }
    }

    /**
     * A builder for a store on this data source.
     *
     * @param dataSource where connections come from; the store never closes it
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** The dialect in use (detected or set). */
    public JdbcDialect dialect() {
        return dialect;
    }

    /** The table prefix in use. */
    public String tablePrefix() {
        return tablePrefix;
    }

    /**
     * PostgreSQL: the schema the tables are in (the connection's {@code current_schema()}, which the
     * JDBC URL's {@code currentSchema=} chooses; see {@link Builder#build()}). Other databases:
     * {@code null}, the tables are wherever the connection's default puts them.
     */
    public String schema() {
        return schema;
    }

    @Override
    public List<AppendResult> append(List<NewMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        checkOpen();
        for (NewMessage m : messages) {
            Objects.requireNonNull(m, "message"); // NewMessage checked its own fields
        }
        return writer.submit(messages);
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        Objects.requireNonNull(conversation, "conversation");
        checkRange(afterSeq, limit, "afterSeq");
        checkOpen();
        try {
            return reads.readAfter(conversation, afterSeq, limit);
        } catch (SQLException e) {
            throw new JdbcStoreException("readAfter", e);
        }
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        Objects.requireNonNull(conversation, "conversation");
        checkRange(beforeSeq, limit, "beforeSeq");
        checkOpen();
        try {
            return reads.readBefore(conversation, beforeSeq, limit);
        } catch (SQLException e) {
            throw new JdbcStoreException("readBefore", e);
        }
    }

    @Override
    public long head(String conversation) {
        Objects.requireNonNull(conversation, "conversation");
        checkOpen();
        try {
            return reads.head(conversation);
        } catch (SQLException e) {
            throw new JdbcStoreException("head", e);
        }
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(clientId, "clientId");
        checkOpen();
        try {
            return reads.findByClientId(conversation, sender, clientId);
        } catch (SQLException e) {
            throw new JdbcStoreException("findByClientId", e);
        }
    }

    @Override
    public List<String> conversations() {
        checkOpen();
        try {
            return reads.conversations();
        } catch (SQLException e) {
            throw new JdbcStoreException("conversations", e);
        }
    }

    /**
     * Runs one retention pass now, in the calling thread, and returns how many messages it deleted
     * (0 if no retention is configured). Waits if the background pass is running.
     *
     * @throws JdbcStoreException if the database fails
     */
    public long purgeNow() {
        checkOpen();
        if (retention == null) {
            return 0;
        }
        try {
            return retention.purge();
        } catch (SQLException e) {
            throw new JdbcStoreException("retention", e);
        }
    }

    private void backgroundPurge() {
        try {
            retention.purge();
        } catch (SQLException e) {
            LOG.warn("Retention pass failed; retrying in the next interval: {} (SQLState {}, vendor code {})",
                    e.getMessage(), e.getSQLState(), e.getErrorCode());
        } catch (RuntimeException e) {
            LOG.warn("Retention pass failed; retrying in the next interval", e);
        }
    }

    /**
     * Finishes the appends already queued, stops the writer and retention threads and gives back the
     * writer's connection. Idempotent. The data source stays open.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writer.close();
        if (retentionExecutor != null) {
            retentionExecutor.shutdownNow();
            try {
                if (!retentionExecutor.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("Retention thread did not stop within 30 s");
                }
                // A terminated executor's worker may still be on its way out: wait for the thread itself,
                // so that close() returning means no thread of this store is left.
                Thread t = retentionThread.get();
                if (t != null) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        release(keepOpen);
        LOG.info("JDBC message store closed ({})", writer);
    }

    /** The threads this store started (for leak checks in tests). */
    List<Thread> threads() {
        List<Thread> threads = new ArrayList<>();
        threads.add(writer.thread());
        Thread t = retentionThread.get();
        if (t != null) {
            threads.add(t);
        }
        return threads;
    }

    /** Transactions that committed messages (for tests of group commit). */
    long transactions() {
        return writer.transactions();
    }

    /** Append calls waiting for the writer (for tests of group commit). */
    int queued() {
        return writer.queued();
    }

    /** Settings and counters: transactions, messages, messages per transaction, failed batches. */
    @Override
    public String toString() {
        return "JdbcMessageStore[" + settings + ", " + writer + (closed.get() ? ", closed" : "") + "]";
    }


    private void checkOpen() {
        if (closed.get()) {
            throw new StoreException("JDBC store is closed");
        }
    }

    private static void checkRange(long seq, int limit, String seqName) {
        if (seq < 0) {
            throw new IllegalArgumentException(seqName + " must be at least 0, was " + seq);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }


    /**
     * Settings for a {@link JdbcMessageStore}; every one has a default, {@link #build()} validates and
     * prepares the schema. A builder is not thread safe; the store it builds is.
     */
    public static final class Builder {
        private static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,29}");

        private final DataSource dataSource;
        private JdbcDialect dialect;
        private SchemaMode schemaMode = SchemaMode.CREATE_IF_MISSING;
        private String tablePrefix = Tables.DEFAULT_PREFIX;
        private boolean groupCommit = true;
        private int maxBatch = 512;
        private Duration maxWait = Duration.ofMillis(1);
        private int retentionMessages;
        private Duration retentionAge;
        private Duration retentionInterval = Duration.ofMinutes(1);
        private int headCacheSize = 100_000;
        private Clock clock = Clock.systemUTC();
        private Duration queryTimeout = Duration.ofSeconds(30);
        private TransactionGuard guard;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** The database dialect. Default: detected from the connection's metadata. */
        public Builder dialect(JdbcDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /** What {@link #build()} does about the schema. Default {@link SchemaMode#CREATE_IF_MISSING}. */
        public Builder schemaMode(SchemaMode schemaMode) {
            this.schemaMode = Objects.requireNonNull(schemaMode, "schemaMode");
            return this;
        }

        /**
         * The prefix of the three table names (and index names). Default {@code parley_}. A letter, then
         * up to 29 letters, digits or {@code _}.
         *
         * @throws IllegalArgumentException if it does not match
         */
        public Builder tablePrefix(String tablePrefix) {
            Objects.requireNonNull(tablePrefix, "tablePrefix");
            if (!PREFIX.matcher(tablePrefix).matches()) {
                throw new IllegalArgumentException("tablePrefix must be a letter then up to 29 letters, digits or _, was \""
                        + tablePrefix + "\"");
            }
            this.tablePrefix = tablePrefix;
            return this;
        }

        /**
         * Group commit limits: at most {@code maxBatch} messages per transaction (a single larger append
         * still goes in one). The writer takes everything queued; if that is fewer messages than its
         * previous batch had (the callers that batch released are expected back), it waits up to
         * {@code maxWait} for them. Under light load (batches of one) it never waits. Defaults: 512 and
         * 1 ms. {@code maxWait} 0: never wait, commit what is queued. Turns group commit on.
         *
         * @throws IllegalArgumentException if {@code maxBatch < 1}, or {@code maxWait} is negative or over 1 s
         */
        public Builder groupCommit(int maxBatch, Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait");
            if (maxBatch < 1 || maxBatch > 100_000) {
                throw new IllegalArgumentException("groupCommit maxBatch must be 1..100000, was " + maxBatch);
            }
            if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("groupCommit maxWait must be 0..1s, was " + maxWait);
            }
            this.groupCommit = true;
            this.maxBatch = maxBatch;
            this.maxWait = maxWait;
            return this;
        }

        /**
         * Turns group commit on (default) or off. Off, every append call is its own transaction, still
         * written by the one writer thread: slower under concurrency, there to measure the difference.
         */
        public Builder groupCommit(boolean enabled) {
            this.groupCommit = enabled;
            return this;
        }

        /**
         * Keep at most this many messages per conversation; older ones are deleted in the background.
         * Default 0: no count limit.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder retention(int maxMessagesPerConversation) {
            if (maxMessagesPerConversation < 0) {
                throw new IllegalArgumentException("retention maxMessagesPerConversation must be at least 0, was "
                        + maxMessagesPerConversation);
            }
            this.retentionMessages = maxMessagesPerConversation;
            return this;
        }

        /**
         * Delete messages older than this in the background. Default {@code null}: no age limit.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder retention(Duration maxAge) {
            if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
                throw new IllegalArgumentException("retention maxAge must be positive, was " + maxAge);
            }
            this.retentionAge = maxAge;
            return this;
        }

        /**
         * How often the background retention pass runs. Default 1 minute.
         *
         * @throws IllegalArgumentException if under 10 ms
         */
        public Builder retentionInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() < 10) {
                throw new IllegalArgumentException("retentionInterval must be at least 10ms, was " + interval);
            }
            this.retentionInterval = interval;
            return this;
        }

        /**
         * How many conversation heads the writer keeps in memory (least recently used dropped). A miss
         * costs one indexed read. Default 100,000. Not used on PostgreSQL, where the heads are locked
         * and moved in the database.
         *
         * @throws IllegalArgumentException if under 1
         */
        public Builder headCacheSize(int headCacheSize) {
            if (headCacheSize < 1) {
                throw new IllegalArgumentException("headCacheSize must be at least 1, was " + headCacheSize);
            }
            this.headCacheSize = headCacheSize;
            return this;
        }

        /**
         * The query timeout of every statement the store runs ({@link java.sql.Statement#setQueryTimeout},
         * whole seconds), so a database that hangs fails calls with a {@link JdbcStoreException} instead
         * of blocking them. Default 30 s; {@link Duration#ZERO} for none. How long a call waits for a
         * connection while the database is down is the pool's setting (HikariCP
         * {@code connectionTimeout}).
         *
         * @throws IllegalArgumentException if negative, or positive but under 1 s
         */
        public Builder queryTimeout(Duration queryTimeout) {
            Objects.requireNonNull(queryTimeout, "queryTimeout");
            if (queryTimeout.isNegative() || (!queryTimeout.isZero() && queryTimeout.toSeconds() < 1)
                    || queryTimeout.toSeconds() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("queryTimeout must be 0 or 1s or more, was " + queryTimeout);
            }
            this.queryTimeout = queryTimeout;
            return this;
        }

        /**
         * A check run first in every transaction that appends messages (see {@link TransactionGuard}); a
         * cluster node uses it so that the database refuses its writes once it is declared dead.
         * Default none.
         */
        public Builder transactionGuard(TransactionGuard guard) {
            this.guard = Objects.requireNonNull(guard, "guard");
            return this;
        }

        /** The clock age-based retention compares {@code created_ms} with. Default the UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Detects the dialect (unless set), prepares the schema as {@link #schemaMode} says and starts the
         * writer (and retention) thread. On PostgreSQL with {@link SchemaMode#CREATE_IF_MISSING}, a
         * first {@code search_path} schema that does not exist (e.g. from {@code currentSchema=chat_a} in
         * the URL) is created, and the tables go there.
         *
         * @throws JdbcStoreException if the database cannot be reached or the schema does not validate
         * @throws IllegalArgumentException if the database is not a supported one
         */
        public JdbcMessageStore build() {
            JdbcDialect d = dialect;
            if (d == null) {
                try (Connection c = dataSource.getConnection()) {
                    d = JdbcDialect.fromProductName(c.getMetaData().getDatabaseProductName());
                } catch (SQLException e) {
                    throw new JdbcStoreException("detecting the database dialect", e);
                }
            }
            return new JdbcMessageStore(this, d);
        }
    }
}
