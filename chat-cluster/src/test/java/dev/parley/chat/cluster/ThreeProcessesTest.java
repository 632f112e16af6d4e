package dev.parley.chat.cluster;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.chat.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three cluster nodes as processes on the test PostgreSQL, six raw clients, and the faults of issue 15:
 * one node's LISTEN connection terminated from the database side, one node killed with SIGKILL, one
 * stopped with SIGSTOP past its lease and resumed. The {@link Checker} then checks the whole run.
 */
@Timeout(300)
class ThreeProcessesTest {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ROOM = "lobby";

    private final String schema = Pg.freshSchema();
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<ChatUser> users = new ArrayList<>();
    private final Map<Integer, Long> downAt = new HashMap<>();
    private HikariDataSource db;

    @AfterEach
    void tearDown() {
        users.forEach(u -> u.sessions().forEach(WireClient::close));
        nodes.forEach(NodeProcess::close);
        if (db != null) {
            db.close();
        }
        Pg.dropSchema(schema);
    }

    private ChatUser user(String name, int node) throws Exception {
        ChatUser u = new ChatUser(name);
        users.add(u);
        u.connect(node, nodes.get(node).port(), WAIT);
        u.join(ROOM);
        return u;
    }

    private void chat(List<ChatUser> senders, int each, String tag) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sends = new ArrayList<>();
            for (ChatUser u : senders) {
                sends.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        u.send(ROOM, tag + " " + u.name + " " + i);
                    }
                    u.awaitAcked(WAIT);
                    return null;
                }));
            }
            for (Future<?> f : sends) {
                f.get();
            }
        }
    }

    private long head() {
        return Pg.queryLong("SELECT COALESCE(MAX(head), 0) FROM \"" + schema + "\".parley_conversation WHERE conversation = '#" + ROOM + "'");
    }

    private void allSee(List<ChatUser> who) throws InterruptedException {
        long head = head();
        for (ChatUser u : who) {
            u.awaitSeen(ROOM, head, WAIT);
        }
    }

    /** The LEFT of {@code name} on an observer's connection, and the last seq it saw before it. */
    private static long[] awaitLeft(ChatUser observer, String name) throws InterruptedException {
        ServerMessage.Left left = observer.current().await(ServerMessage.Left.class, l -> l.name().equals(name));
        assertEquals("disconnect", left.reason(), observer + " saw " + left);
        long lastBefore = 0;
        for (WireClient.Received r : observer.current().frames()) {
            if (r.message() == left) {
                return new long[] {r.nanos(), lastBefore};
            }
            if (r.message() instanceof ServerMessage.Msg m && ROOM.equals(m.room())) {
                lastBefore = m.seq();
            }
            if (r.message() instanceof ServerMessage.Ack a && ROOM.equals(a.room())) {
                lastBefore = Math.max(lastBefore, a.seq());
            }
        }
        throw new AssertionError("not in the log");
    }

    @Test
    void theClusterKeepsEveryPromiseThroughAKillAStopAndALostListenConnection() throws Exception {
        List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int index = i;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return NodeProcess.start("n" + index + "-" + schema, index, schema, LEASE);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<NodeProcess> f : starting) {
            nodes.add(f.get());
        }
        db = Pg.pool(schema, "checker", 2);

        ChatUser a0 = user("a0", 0);
        ChatUser b0 = user("b0", 0);
        ChatUser a1 = user("a1", 1);
        ChatUser b1 = user("b1", 1);
        ChatUser a2 = user("a2", 2);
        ChatUser b2 = user("b2", 2);
        chat(users, 10, "hello");
        allSee(users);

        // 1. The database ends node 2's LISTEN connection; what is sent meanwhile still reaches node 2.
        assertEquals(1, nodes.get(2).terminateListenConnection());
        chat(List.of(a0, a1), 5, "while n2 listens again");
        allSee(List.of(a2, b2));

        // 2. SIGKILL node 1, with a1's messages in flight.
        for (int i = 0; i < 3; i++) {
            a1.send(ROOM, "in flight " + i);
        }
        downAt.put(1, System.nanoTime());
        nodes.get(1).kill();
        long[] leftA1 = awaitLeft(a0, "a1");
        long[] leftB1 = awaitLeft(a0, "b1");
        for (ChatUser other : List.of(b0, a2, b2)) {
            awaitLeft(other, "a1");
            awaitLeft(other, "b1");
        }
        List<WireClient> survivorsOfKill = List.of(a0.current(), b0.current(), a2.current(), b2.current());
        long killToLeft = Math.max(leftA1[0], leftB1[0]) - downAt.get(1);
        System.out.printf("SIGKILL to LEFT on another node: %d ms (lease %d ms, reap interval 250 ms)%n",
                killToLeft / 1_000_000, LEASE.toMillis());
        // a1 and b1 come back on node 0: names taken again, resume with since=, resend what was not acknowledged
        a1.connect(0, nodes.get(0).port(), WAIT);
        b1.connect(0, nodes.get(0).port(), WAIT);
        a1.awaitAcked(WAIT);
        allSee(List.of(a0, b0, a1, b1, a2, b2));

        // 3. SIGSTOP node 2 past its lease; a2 sends on its frozen connection.
        downAt.put(2, System.nanoTime());
        nodes.get(2).stop();
        String zombie = a2.send(ROOM, "sent to a stopped node");
        a2.abandon(zombie);
        long[] leftA2 = awaitLeft(a0, "a2");
        awaitLeft(a0, "b2");
        for (ChatUser other : List.of(b0, a1, b1)) {
            awaitLeft(other, "a2");
            awaitLeft(other, "b2");
        }
        List<WireClient> survivorsOfStop = List.of(a0.current(), b0.current(), a1.current(), b1.current());
        chat(List.of(a0, a1), 2, "while n2 is stopped");
        // SIGCONT: node 2 finds itself dead and closes its clients; it may not store the zombie
        nodes.get(2).resume();
        a2.current().awaitEnd(WAIT);
        b2.current().awaitEnd(WAIT);
        Checker checker = new Checker(db, schema);
        assertEquals(List.of(), checker.nothingStoredAfterDeath(a2, ROOM, leftA2[1], List.of(zombie)));
        // node 2 is back as a new incarnation: a2 reconnects to it, b2 to node 0
        a2.connect(2, nodes.get(2).port(), WAIT);
        b2.connect(0, nodes.get(0).port(), WAIT);

        // 4. Everyone chats once more and sees one gap-free order.
        chat(users, 3, "after");
        allSee(users);
        assertEquals(List.of(), checker.nothingStoredAfterDeath(a2, ROOM, leftA2[1], List.of(zombie)));
        assertTrue(Pg.queryLong("SELECT COUNT(*) FROM \"" + schema + "\".parley_message WHERE client_id = '" + zombie + "'") == 0,
                "the message sent to the stopped node was never stored");
        assertEquals(List.of(), checker.leftOnceEach(survivorsOfKill, ROOM, List.of("a1", "b1"), downAt.get(1)));
        assertEquals(List.of(), checker.leftOnceEach(survivorsOfStop, ROOM, List.of("a2", "b2"), downAt.get(2)));
        assertEquals(List.of(), checker.all(users, downAt));
    }
}
