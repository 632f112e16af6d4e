package dev.parley.chat.cluster;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.server.ChatServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three ChatServers in one JVM, clustered on the test PostgreSQL, driven by raw protocol clients on
 * different nodes and checked by the {@link Checker}: what issue 15's "done when" asks of a running
 * cluster, short of killing a process ({@link ThreeProcessesTest} does that).
 */
@Timeout(180)
class ThreeNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String schema = Pg.freshSchema();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<PostgresCluster> clusters = new ArrayList<>();
    private final List<ChatServer> servers = new ArrayList<>();
    private final List<ChatUser> users = new ArrayList<>();

    private void startNodes(int n) {
        for (int i = 0; i < n; i++) {
            HikariDataSource pool = Pg.pool(schema, "n" + i, 8);
            pools.add(pool);
            PostgresCluster cluster = PostgresCluster.builder(pool).nodeName("n" + i)
                    .lease(Duration.ofSeconds(5)).reapInterval(Duration.ofMillis(250))
                    .safetyPollInterval(Duration.ofSeconds(1)).build();
            clusters.add(cluster);
            servers.add(ChatServer.builder().listen(TcpTransport.port(0)).store(cluster.store()).cluster(cluster)
                    .build().start());
        }
    }

    private ChatUser user(String name, int node) throws Exception {
        ChatUser u = new ChatUser(name);
        users.add(u);
        u.connect(node, servers.get(node).port(), WAIT);
        return u;
    }

    @AfterEach
    void tearDown() {
        users.forEach(u -> u.sessions().forEach(WireClient::close));
        servers.forEach(ChatServer::close);
        clusters.forEach(PostgresCluster::close);
        pools.forEach(HikariDataSource::close);
        Pg.dropSchema(schema);
    }

    @Test
    void clientsOnThreeNodesChatAsInOneServer() throws Exception {
        startNodes(3);
        ChatUser ann = user("Ann", 0);
        ChatUser bob = user("bob", 1);
        ChatUser cat = user("cat", 2);

        // names are unique across nodes, case and width variants included
        try (WireClient dup = WireClient.connect("dup", 2, servers.get(2).port(), null)) {
            dup.send("HELLO proto=1 name=ＡＮＮ ref=1");
            assertEquals(ErrorCode.NAME_TAKEN, dup.await(ServerMessage.Error.class, e -> "1".equals(e.ref())).code());
        }

        // each JOINED once, on every node
        ann.join("lobby");
        bob.join("lobby");
        ann.current().await(ServerMessage.Joined.class, j -> j.name().equals("bob") && j.head() == null);
        cat.join("lobby");
        ann.current().await(ServerMessage.Joined.class, j -> j.name().equals("cat") && j.head() == null);
        bob.current().await(ServerMessage.Joined.class, j -> j.name().equals("cat") && j.head() == null);

        // WHO and ROOMS see every node's members
        bob.current().send("WHO room=lobby ref=w");
        List<String> who = new ArrayList<>();
        while (true) {
            ServerMessage m = bob.current().await(ServerMessage.class, x -> "w".equals(x.ref()));
            if (m instanceof ServerMessage.End) {
                break;
            }
            who.add(((ServerMessage.Member) m).name());
        }
        assertEquals(List.of("Ann", "bob", "cat"), who);
        cat.current().send("ROOMS ref=r");
        ServerMessage.Room room = cat.current().await(ServerMessage.Room.class, r -> "r".equals(r.ref()));
        assertEquals("lobby", room.name());
        assertEquals(3, room.members());

        // concurrent chat: one gap-free order, seen by all
        int each = 25;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sends = new ArrayList<>();
            for (ChatUser u : List.of(ann, bob, cat)) {
                sends.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        u.send("lobby", u.name + " says " + i);
                    }
                    u.awaitAcked(WAIT);
                    return null;
                }));
            }
            for (Future<?> f : sends) {
                f.get();
            }
        }
        for (ChatUser u : List.of(ann, bob, cat)) {
            u.awaitSeen("lobby", 3L * each, WAIT);
        }

        // a direct message to a user on another node
        ann.current().send("SEND to=cat id=dm1 ref=dm1 :psst");
        ann.current().await(ServerMessage.Ack.class, a -> "dm1".equals(a.ref()));
        ServerMessage.Msg dm = cat.current().await(ServerMessage.Msg.class, m -> m.with() != null);
        assertEquals("Ann", dm.from());
        assertEquals("psst", dm.text());

        // the server API, from any node
        servers.get(1).post("lobby", "system", "maintenance at noon");
        for (ChatUser u : List.of(ann, bob, cat)) {
            u.current().await(ServerMessage.Msg.class, m -> "system".equals(m.from()));
        }
        assertEquals(List.of("Ann", "bob", "cat"), servers.get(2).members("lobby"));
        assertTrue(servers.get(0).rooms().contains("lobby"), servers.get(0).rooms().toString());
        servers.get(0).kick("cat"); // cat is on node 2
        assertEquals("kicked", cat.current().await(ServerMessage.Bye.class, b -> true).reason());
        assertEquals("kicked", ann.current().await(ServerMessage.Left.class, l -> l.name().equals("cat")).reason());
        assertEquals("kicked", bob.current().await(ServerMessage.Left.class, l -> l.name().equals("cat")).reason());

        // a node that shuts down: its users' LEFT reaches the others, once
        servers.get(1).close();
        assertEquals("shutdown", ann.current().await(ServerMessage.Left.class, l -> l.name().equals("bob")).reason());
        // bob comes back on node 2, takes his name again and resumes without a gap
        bob.connect(2, servers.get(2).port(), WAIT);
        ann.current().await(ServerMessage.Joined.class, j -> j.name().equals("bob") && j.head() == null);
        ann.send("lobby", "welcome back");
        ann.awaitAcked(WAIT);
        bob.awaitSeen("lobby", 3L * each + 2, WAIT);

        Checker checker = new Checker(pools.get(0), schema);
        assertEquals(List.of(), checker.all(users, Map.of()));
    }
}
