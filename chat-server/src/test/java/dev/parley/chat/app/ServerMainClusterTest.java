package dev.parley.chat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.chat.client.ChatClient;
import dev.parley.chat.client.ChatListener;
import dev.parley.chat.client.ChatMessage;
import dev.parley.chat.client.ChatSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's cluster mode ({@code --node}), as the README's "Run three nodes" uses it. */
@Timeout(120)
class ServerMainClusterTest {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

    @Test
    void nodeNeedsAPostgresqlUrl() {
        for (String[] args : List.of(new String[] {"--node", "n1"},
                new String[] {"--node", "n1", "--jdbc-url", "jdbc:mariadb://localhost/test"},
                new String[] {"--node", "n1", "--memory"})) {
            ServerOptions.Parsed parsed = ServerOptions.parse(args, Map.of());
            ServerOptions.Exit exit = assertInstanceOf(ServerOptions.Exit.class, parsed);
            assertEquals(2, exit.status());
            assertTrue(exit.text().startsWith("--node needs --jdbc-url jdbc:postgresql://...: clustering needs PostgreSQL"),
                    exit.text());
        }
        ServerOptions.Exit lease = assertInstanceOf(ServerOptions.Exit.class,
                ServerOptions.parse(new String[] {"--lease", "5s"}, Map.of()));
        assertTrue(lease.text().startsWith("--lease needs --node"), lease.text());
    }

    @Test
    void twoServersStartedWithNodeOnOneDatabaseAreOneChat() throws Exception {
        String schema = "ex_" + UUID.randomUUID().toString().substring(0, 8);
        requirePostgres();
        String url = PG + "?currentSchema=" + schema;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (ServerMain.Running n1 = ServerMain.start(new String[] {
                "--node", "n1", "--port", "0", "--no-web", "--jdbc-url", url, "--jdbc-user", "postgres"}, print);
                ServerMain.Running n2 = ServerMain.start(new String[] {
                        "--node", "n2", "--port", "0", "--no-web", "--jdbc-url", url, "--jdbc-user", "postgres",
                        "--lease", "5s"}, print)) {
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("cluster node n2 (PostgreSQL " + url + ")"), out.toString());
            BlockingQueue<ChatMessage> annGot = new LinkedBlockingQueue<>();
            BlockingQueue<String> annSaw = new LinkedBlockingQueue<>();
            ChatListener listener = new ChatListener() {
                @Override
                public void onMessage(ChatMessage message) {
                    annGot.add(message);
                }

                @Override
                public void onJoined(String room, String name) {
                    annSaw.add(name + " joined " + room);
                }
            };
            try (ChatSession ann = ChatClient.builder().address("localhost", n1.server().port()).name("ann")
                    .listener(listener).build().connect();
                    ChatSession bob = ChatClient.builder().address("localhost", n2.server().port()).name("bob").build().connect()) {
                ann.join("lobby").get();
                bob.join("lobby").get();
                assertEquals("bob joined lobby", annSaw.poll(30, TimeUnit.SECONDS));
                long seq = bob.send("lobby", "hello across nodes").get().seq();
                ChatMessage m = annGot.poll(30, TimeUnit.SECONDS);
                assertNotNull(m, "ann (node 1) got bob's message (node 2)");
                assertEquals("hello across nodes", m.text());
                assertEquals(seq, m.seq());
                assertEquals(List.of("ann", "bob"), n1.server().members("lobby"));
            }
        } finally {
            execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    private static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(PG + "?connectTimeout=5", "postgres", "")) {
            c.isValid(5);
        } catch (SQLException e) {
            String why = "PostgreSQL not reachable at 127.0.0.1:5432 (" + e.getMessage() + ")";
            if ("1".equals(System.getenv("PARLEY_REQUIRE_DATABASES"))) {
                fail(why + "; PARLEY_REQUIRE_DATABASES=1 requires it");
            }
            Assumptions.abort(why);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
