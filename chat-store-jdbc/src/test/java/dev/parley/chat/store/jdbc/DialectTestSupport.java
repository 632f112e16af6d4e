package dev.parley.chat.store.jdbc;

import dev.parley.chat.store.NewMessage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What differs per database: dialect detection, the shipped schema file against what
 * {@link SchemaMode#CREATE_IF_MISSING} builds, {@link SchemaMode#VALIDATE} failures, and query plans of
 * history reads (index range scans at any depth, never table scans).
 */
@Timeout(120)
abstract class DialectTestSupport {

    abstract TestDataSource dataSource();

    @BeforeEach
    void requireDatabase() {
        dataSource(); // skips or fails here, before the test body, if the database is unreachable
    }

    abstract JdbcDialect expectedDialect();

    /** The plan of a query, one string per plan row. */
    abstract List<String> explain(Connection c, String sql) throws SQLException;

    /** Asserts that the plan reads the message table through its primary key range, not a full scan. */
    abstract void assertIndexRangeScan(String plan, String prefix);

    /** Updates the optimizer statistics of the message table. */
    abstract void analyze(Connection c, String prefix) throws SQLException;

    @Test
    void detectsItsDialect() {
        String prefix = Databases.freshPrefix();
        try (JdbcMessageStore store = JdbcMessageStore.builder(dataSource()).tablePrefix(prefix).build()) {
            assertEquals(expectedDialect(), store.dialect());
        } finally {
            Databases.dropTables(dataSource(), prefix);
        }
    }

    @Test
    void shippedSchemaFileMatchesWhatCreateBuildsAndValidates() throws Exception {
        String manual = Databases.freshPrefix();
        String created = Databases.freshPrefix();
        try {
            // Apply the shipped file the way a migration tool would: plain statements, prefix replaced.
            String resource = expectedDialect().schemaResource(1);
            assertTrue(resource.startsWith("dev/parley/chat/store/jdbc/schema/"), resource);
            String sql;
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
                assertTrue(in != null, "resource on the class path: " + resource);
                sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("parley_", manual);
            }
            try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
                for (String statement : splitStatements(sql)) {
                    s.execute(statement);
                }
            }
            try (JdbcMessageStore validated = JdbcMessageStore.builder(dataSource()).tablePrefix(manual)
                    .schemaMode(SchemaMode.VALIDATE).build()) {
                validated.append(List.of(new NewMessage("#v", "ann", "works", Instant.now(), "x")));
                assertEquals(1, validated.head("#v"));
            }
            JdbcMessageStore.builder(dataSource()).tablePrefix(created).build().close();
            try (Connection c = dataSource().getConnection()) {
                for (String table : List.of("message", "conversation", "schema_version")) {
                    assertEquals(columns(c, created + table), columns(c, manual + table), table + " columns");
                    assertEquals(indexes(c, created + table), indexes(c, manual + table), table + " indexes");
                }
                Map<String, String> messageColumns = columns(c, created + "message");
                assertEquals(Set.of("conversation", "seq", "sender", "client_id", "body", "created_ms"),
                        messageColumns.keySet());
                Set<String> messageIndexes = indexes(c, created + "message");
                assertTrue(messageIndexes.contains("unique(conversation,seq)"), messageIndexes.toString());
                assertTrue(messageIndexes.contains("unique(conversation,sender,client_id)"), messageIndexes.toString());
            }
        } finally {
            Databases.dropTables(dataSource(), manual);
            Databases.dropTables(dataSource(), created);
        }
    }

    @Test
    void validateFailsClearlyWhenTablesAreMissing() {
        String prefix = Databases.freshPrefix();
        JdbcStoreException e = assertThrows(JdbcStoreException.class, () ->
                JdbcMessageStore.builder(dataSource()).tablePrefix(prefix).schemaMode(SchemaMode.VALIDATE).build());
        assertTrue(e.getMessage().contains("table " + prefix + "schema_version is missing"), e.getMessage());
        assertTrue(e.getMessage().contains(expectedDialect().schemaResource(1)), e.getMessage());
        assertEquals(0, dataSource().lent());
    }

    @Test
    void validateNamesAMissingMessageTable() throws SQLException {
        String prefix = Databases.freshPrefix();
        try {
            JdbcMessageStore.builder(dataSource()).tablePrefix(prefix).build().close();
            try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE " + prefix + "message");
            }
            JdbcStoreException e = assertThrows(JdbcStoreException.class, () ->
                    JdbcMessageStore.builder(dataSource()).tablePrefix(prefix).schemaMode(SchemaMode.VALIDATE).build());
            assertTrue(e.getMessage().contains("table " + prefix + "message is missing"), e.getMessage());
        } finally {
            Databases.dropTables(dataSource(), prefix);
        }
    }

    @Test
    void historyReadsAreIndexRangeScansAtAnyDepth() throws SQLException {
        String prefix = Databases.freshPrefix();
        try (JdbcMessageStore store = JdbcMessageStore.builder(dataSource()).tablePrefix(prefix).build()) {
            Instant t = Instant.parse("2026-11-23T10:00:00Z");
            for (int batch = 0; batch < 5; batch++) {
                List<NewMessage> messages = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    messages.add(new NewMessage("#room" + (i % 4), "ann", "message " + batch + "/" + i, t, null));
                }
                store.append(messages);
            }
            assertEquals(1250, store.head("#room1"));
            try (Connection c = dataSource().getConnection()) {
                analyze(c, prefix);
                String m = prefix + "message";
                String cols = "SELECT seq, sender, client_id, body, created_ms FROM " + m;
                List<String> queries = List.of(
                        cols + " WHERE conversation = '#room1' AND seq < 20 ORDER BY seq DESC LIMIT 50",
                        cols + " WHERE conversation = '#room1' AND seq < 9223372036854775807 ORDER BY seq DESC LIMIT 50",
                        cols + " WHERE conversation = '#room1' AND seq > 3 ORDER BY seq ASC LIMIT 50",
                        cols + " WHERE conversation = '#room1' AND seq > 1200 ORDER BY seq ASC LIMIT 50");
                for (String q : queries) {
                    String plan = String.join("\n", explain(c, q));
                    assertIndexRangeScan(plan, prefix);
                }
            }
        } finally {
            Databases.dropTables(dataSource(), prefix);
        }
    }

    @Test
    void recoversWhenTheDatabaseComesBackAndLeaksNothing() {
        String prefix = Databases.freshPrefix();
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        try {
            JdbcMessageStore store = JdbcMessageStore.builder(dataSource()).tablePrefix(prefix).build();
            try {
                store.append(List.of(new NewMessage("#r", "ann", "before", t, "a")));
                dataSource().down(true);
                JdbcStoreException e = assertThrows(JdbcStoreException.class,
                        () -> store.append(List.of(new NewMessage("#r", "ann", "lost", t, "b"))));
                assertTrue(e.getMessage().contains("(SQLState 08"), e.getMessage());
                assertThrows(JdbcStoreException.class, () -> store.readBefore("#r", Long.MAX_VALUE, 10));
            } finally {
                dataSource().down(false);
            }
            assertEquals(2, store.append(List.of(new NewMessage("#r", "ann", "after", t, "b"))).get(0).message().seq(),
                    "the failed append used up no seq");
            assertEquals(List.of("before", "after"),
                    store.readAfter("#r", 0, 10).stream().map(m -> m.text()).toList());
            List<Thread> threads = store.threads();
            store.close();
            for (Thread thread : threads) {
                assertFalse(thread.isAlive(), thread.getName());
            }
            assertEquals(0, dataSource().lent(), "connections lent and not given back");
        } finally {
            Databases.dropTables(dataSource(), prefix);
        }
    }

    @Test
    void aHangingDatabaseFailsTheCallAfterTheQueryTimeout() throws SQLException {
        Assumptions.assumeTrue(expectedDialect() != JdbcDialect.SQLITE, "SQLite has no row locks (busy timeout instead)");
        String prefix = Databases.freshPrefix();
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        try (JdbcMessageStore store = JdbcMessageStore.builder(dataSource()).tablePrefix(prefix)
                .queryTimeout(Duration.ofSeconds(1)).build()) {
            store.append(List.of(new NewMessage("#h", "ann", "one", t, null)));
            // Another session holds the conversation's head row: the writer's UPDATE waits for it.
            try (Connection blocker = dataSource().getConnection()) {
                blocker.setAutoCommit(false);
                try (Statement s = blocker.createStatement()) {
                    s.executeQuery("SELECT head FROM " + prefix + "conversation WHERE conversation = '#h' FOR UPDATE").close();
                }
                JdbcStoreException e = assertThrows(JdbcStoreException.class,
                        () -> store.append(List.of(new NewMessage("#h", "ann", "blocked", t, null))));
                assertTrue(e.getMessage().startsWith("append of 1 messages failed: "), e.getMessage());
                blocker.rollback();
            }
            assertEquals(2, store.append(List.of(new NewMessage("#h", "ann", "two", t, null))).get(0).message().seq());
            assertEquals(List.of("one", "two"), store.readAfter("#h", 0, 10).stream().map(m -> m.text()).toList());
        } finally {
            Databases.dropTables(dataSource(), prefix);
        }
    }

    /** Comment lines dropped, split where a line ends with ";" (how the schema files are written). */
    private static List<String> splitStatements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            if (line.strip().startsWith("--") || line.isBlank()) {
                continue;
            }
            current.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                String s = current.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                current.setLength(0);
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static String name(DatabaseMetaData md, String table) throws SQLException {
        if (md.storesUpperCaseIdentifiers()) {
            return table.toUpperCase(Locale.ROOT);
        }
        if (md.storesLowerCaseIdentifiers()) {
            return table.toLowerCase(Locale.ROOT);
        }
        return table;
    }

    private static String schema(Connection c) {
        try {
            return c.getSchema();
        } catch (SQLException | AbstractMethodError e) {
            return null;
        }
    }

    /** Column name -> "TYPE nullable" of a table. */
    private static Map<String, String> columns(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Map<String, String> result = new TreeMap<>();
        try (ResultSet rs = md.getColumns(c.getCatalog(), schema(c), name(md, table), null)) {
            while (rs.next()) {
                result.put(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT),
                        rs.getString("TYPE_NAME") + " " + rs.getInt("COLUMN_SIZE") + " nullable=" + rs.getInt("NULLABLE"));
            }
        }
        assertFalse(result.isEmpty(), "no columns found for " + table);
        return result;
    }

    /** Indexes of a table as "unique(col,col)" / "index(col)", names ignored. */
    private static Set<String> indexes(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Map<String, TreeMap<Integer, String>> byName = new TreeMap<>();
        Map<String, Boolean> unique = new TreeMap<>();
        try (ResultSet rs = md.getIndexInfo(c.getCatalog(), schema(c), name(md, table), false, false)) {
            while (rs.next()) {
                String index = rs.getString("INDEX_NAME");
                String column = rs.getString("COLUMN_NAME");
                if (index == null || column == null) {
                    continue;
                }
                byName.computeIfAbsent(index, k -> new TreeMap<>()).put((int) rs.getShort("ORDINAL_POSITION"),
                        column.toLowerCase(Locale.ROOT));
                unique.put(index, !rs.getBoolean("NON_UNIQUE"));
            }
        }
        Set<String> result = new TreeSet<>();
        for (Map.Entry<String, TreeMap<Integer, String>> e : byName.entrySet()) {
            result.add((unique.get(e.getKey()) ? "unique(" : "index(") + String.join(",", e.getValue().values()) + ")");
        }
        return result;
    }

    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
                }
                rows.add(row.toString().strip());
            }
        }
        return rows;
    }
}
