package dev.parley.chat.app;

import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import dev.parley.chat.store.jdbc.SchemaMode;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Where messages are kept: H2 in a folder (the default), memory, or PostgreSQL/MariaDB; retention and tuning. */
final class StoreOptions {
    private static final Logger log = LoggerFactory.getLogger(StoreOptions.class);

    @Option(names = "--data", paramLabel = "DIR", order = 30,
            description = "Keep messages in an H2 database in DIR (the default, with ./parley-data).")
    Path data;

    @Option(names = "--memory", order = 31, description = "Keep messages in memory only: lost when the server stops.")
    boolean memory;

    @Option(names = "--jdbc-url", paramLabel = "URL", order = 32,
            description = "Keep messages in PostgreSQL (jdbc:postgresql://HOST/DB), MariaDB/MySQL (jdbc:mariadb://HOST/DB) "
                    + "or H2 (jdbc:h2:...).")
    String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER", order = 33, description = "The database user.")
    String jdbcUser;

    @Option(names = "--jdbc-password", paramLabel = "PASS", order = 34,
            description = "The database password (better set PARLEY_JDBC_PASSWORD or put it in the --config file).")
    String jdbcPassword;

    @Option(names = "--retention", paramLabel = "N", order = 35,
            description = "Keep only the newest N messages of each room and conversation (default: all).")
    Integer retention;

    @Option(names = "--retention-age", paramLabel = "DURATION", order = 36,
            converter = Converters.DurationConverter.class,
            description = "Delete messages older than this, e.g. 30d (database stores; default: never).")
    Duration retentionAge;

    @Option(names = "--retention-interval", paramLabel = "DURATION", order = 37,
            converter = Converters.DurationConverter.class,
            description = "How often retention runs (database stores; default 1m).")
    Duration retentionInterval;

    @Option(names = "--group-commit-batch", paramLabel = "N", order = 38,
            description = "At most N messages per database transaction (default 512).")
    Integer groupCommitBatch;

    @Option(names = "--group-commit-wait", paramLabel = "DURATION", order = 39,
            converter = Converters.DurationConverter.class,
            description = "Longest wait for more messages to commit together (default 1ms).")
    Duration groupCommitWait;

    @Option(names = "--no-group-commit", order = 40, description = "One transaction per message.")
    boolean noGroupCommit;

    @Option(names = "--table-prefix", paramLabel = "PREFIX", order = 41,
            description = "The prefix of the store's table names (default parley_).")
    String tablePrefix;

    @Option(names = "--schema-mode", paramLabel = "MODE", order = 42,
            description = "CREATE_IF_MISSING (default), VALIDATE (a DBA or Flyway owns the schema) or NONE.")
    SchemaMode schemaMode;

    @Option(names = "--query-timeout", paramLabel = "DURATION", order = 43,
            converter = Converters.DurationConverter.class,
            description = "Longest a database statement may run (default 30s).")
    Duration queryTimeout;

    @Option(names = "--head-cache-size", paramLabel = "N", order = 44,
            description = "Conversations whose newest seq is cached (default 100000).")
    Integer headCacheSize;

    void check() {
        int stores = (data != null ? 1 : 0) + (memory ? 1 : 0) + (jdbcUrl != null ? 1 : 0);
        if (stores > 1) {
            throw new IllegalArgumentException("choose one of --data, --memory and --jdbc-url");
        }
        if (memory && (retentionAge != null || retentionInterval != null || groupCommitBatch != null
                || groupCommitWait != null || noGroupCommit || tablePrefix != null || schemaMode != null
                || queryTimeout != null || headCacheSize != null)) {
            throw new IllegalArgumentException("--memory takes --retention only; the other store options are for databases");
        }
        if (noGroupCommit && (groupCommitBatch != null || groupCommitWait != null)) {
            throw new IllegalArgumentException("choose --no-group-commit or --group-commit-*");
        }
    }

    /** The H2 folder in use when no other store is chosen. */
    Path dataDir() {
        return (data == null ? Path.of("parley-data") : data).toAbsolutePath().normalize();
    }

    /** Opens the store; the caller closes it. */
    MessageStore open() {
        if (memory) {
            log.info("store: in memory (messages are lost when the server stops)");
            return retention == null ? InMemoryMessageStore.create() : InMemoryMessageStore.withRetention(retention);
        }
        DataSource ds;
        if (jdbcUrl != null) {
            ds = dataSource(jdbcUrl, jdbcUser, jdbcPassword);
            log.info("store: {}", jdbcUrl);
        } else {
            Path dir = dataDir();
            JdbcDataSource h2 = new JdbcDataSource();
            // DB_CLOSE_DELAY=-1: keep the database open between connections (there is no pool).
            // TRACE_LEVEL_FILE=0: no parley.trace.db full of the store's expected "table not found" probes.
            h2.setURL("jdbc:h2:file:" + dir.resolve("parley") + ";DB_CLOSE_DELAY=-1;TRACE_LEVEL_FILE=0");
            ds = h2;
            log.info("store: H2 database in {}", dir);
        }
        JdbcMessageStore.Builder b = JdbcMessageStore.builder(ds);
        configure(b);
        return b.build();
    }

    /** Applies the database store options to a store builder (also the cluster's store, with --node). */
    void configure(JdbcMessageStore.Builder b) {
        if (retention != null) {
            b.retention(retention);
        }
        if (retentionAge != null) {
            b.retention(retentionAge);
        }
        if (retentionInterval != null) {
            b.retentionInterval(retentionInterval);
        }
        if (noGroupCommit) {
            b.groupCommit(false);
        } else if (groupCommitBatch != null || groupCommitWait != null) {
            b.groupCommit(groupCommitBatch == null ? 512 : groupCommitBatch,
                    groupCommitWait == null ? Duration.ofMillis(1) : groupCommitWait);
        }
        if (tablePrefix != null) {
            b.tablePrefix(tablePrefix);
        }
        if (schemaMode != null) {
            b.schemaMode(schemaMode);
        }
        if (queryTimeout != null) {
            b.queryTimeout(queryTimeout);
        }
        if (headCacheSize != null) {
            b.headCacheSize(headCacheSize);
        }
    }

    /** A data source from the database's own driver: one connection per use, no pool. */
    static DataSource dataSource(String url, String user, String password) {
        try {
            if (url.startsWith("jdbc:postgresql:")) {
                PGSimpleDataSource pg = new PGSimpleDataSource();
                pg.setURL(url);
                if (user != null) {
                    pg.setUser(user);
                }
                if (password != null) {
                    pg.setPassword(password);
                }
                return pg;
            }
            if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
                MariaDbDataSource maria = new MariaDbDataSource(url.replaceFirst("^jdbc:mysql:", "jdbc:mariadb:"));
                if (user != null) {
                    maria.setUser(user);
                }
                if (password != null) {
                    maria.setPassword(password);
                }
                return maria;
            }
            if (url.startsWith("jdbc:h2:")) {
                JdbcDataSource h2 = new JdbcDataSource();
                h2.setURL(url);
                h2.setUser(user == null ? "" : user);
                h2.setPassword(password == null ? "" : password);
                return h2;
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("--jdbc-url " + url + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("--jdbc-url must start with jdbc:postgresql:, jdbc:mariadb: or jdbc:h2:, was " + url);
    }
}
