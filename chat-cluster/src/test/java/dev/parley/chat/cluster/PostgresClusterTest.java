package dev.parley.chat.cluster;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.chat.cluster.internal.FencedException;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.parley.chat.cluster.FakeNode.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three cluster nodes in one JVM on the test PostgreSQL, each with a {@link FakeNode} in place of its
 * server: names, presence transitions, doorbells, reaping and fencing, checked at the SPI.
 */
@Timeout(120)
class PostgresClusterTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    private final String schema = Pg.freshSchema();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<PostgresCluster> clusters = new ArrayList<>();

    private record Member(PostgresCluster cluster, FakeNode node) {
    }

    private Member start(String name, PostgresCluster.Builder settings) {
        PostgresCluster cluster = settings.nodeName(name).build();
        clusters.add(cluster);
        FakeNode node = new FakeNode();
        cluster.started(node);
        return new Member(cluster, node);
    }

    private PostgresCluster.Builder builder(String name) {
        HikariDataSource pool = Pg.pool(schema, name, 6);
        pools.add(pool);
        return PostgresCluster.builder(pool).lease(Duration.ofSeconds(10)).reapInterval(Duration.ofMillis(200))
                .safetyPollInterval(Duration.ofSeconds(1));
    }

    private Member start(String name) {
        return start(name, builder(name));
    }

    private int anonymous;

    /** A new anonymous identity for a canonical name. */
    private String anon(String canonical) {
        return canonical + "~test" + ++anonymous;
    }

    @AfterEach
    void tearDown() {
        clusters.forEach(PostgresCluster::close);
        pools.forEach(HikariDataSource::close);
        Pg.dropSchema(schema);
    }

    @Test
    void namesAreUniqueAcrossNodesWhateverTheirCase() {
        Member a = start("a");
        Member b = start("b");
        assertTrue(a.cluster().presence().claimName("Souvik", "souvik", anon("souvik"), 1));
        assertFalse(b.cluster().presence().claimName("SOUVIK", "souvik", anon("souvik"), 1), "taken on another node");
        assertFalse(a.cluster().presence().claimName("souvik", "souvik", anon("souvik"), 2), "taken on the same node");
        assertEquals("Souvik", b.cluster().presence().holder("souvik").name());
        assertNull(b.cluster().presence().holder("ritam"));

        // A shared (authenticated) identity may be held by connections on several nodes.
        assertTrue(a.cluster().presence().claimName("ritam", "ritam", "ritam", 3));
        assertTrue(b.cluster().presence().claimName("Ritam", "ritam", "ritam", 7));
        assertFalse(b.cluster().presence().claimName("ritam", "ritam", anon("ritam"), 8), "anonymous claim of a shared name");
        a.cluster().presence().releaseName("ritam", 3);
        assertEquals(new Presence.Holder("ritam", "ritam"), b.cluster().presence().holder("ritam"), "still held on b");
        b.cluster().presence().releaseName("ritam", 7);
        assertNull(a.cluster().presence().holder("ritam"));

        a.cluster().presence().releaseName("souvik", 1);
        assertTrue(b.cluster().presence().claimName("souvik", "souvik", anon("souvik"), 1), "free once released");
    }

    @Test
    void lookAlikeNamesAreTakenAcrossNodesAndOneIdentityMayHoldItsNameTwice() {
        Member a = start("a");
        Member b = start("b");
        Presence pa = a.cluster().presence();
        Presence pb = b.cluster().presence();
        assertTrue(pa.claimName("ace", "ace", "ace~1", 1));
        assertFalse(pb.claimName("асе", "асе", "асе~2", 1), "Cyrillic look-alike on another node");
        assertFalse(pb.claimName("ACE", "ace", "ace~3", 2), "same canonical name, another identity");
        assertTrue(pb.claimName("Ace", "ace", "ace~1", 3), "the same (resumed) identity");
        assertEquals(new Presence.Holder("ace", "ace~1"), pb.holder("ace"));
        assertTrue(pa.claimName("Straße", "strasse", "strasse~4", 2));
        assertFalse(pb.claimName("STRASSE", "strasse", "strasse~5", 4));
        assertTrue(pa.claimName("Ian", "ian", "ian~6", 3));
        assertFalse(pb.claimName("lan", "lan", "lan~7", 5), "the skeleton as written");
        assertNull(pb.holder("lan"), "a refused claim leaves nothing behind");
        pa.releaseName("ace", 1);
        assertFalse(pa.claimName("асе", "асе", "асе~2", 4), "still held on b");
        pb.releaseName("ace", 3);
        assertTrue(pa.claimName("асе", "асе", "асе~2", 4), "free once its last connection released it");
        assertFalse(pb.claimName("ACE", "ace", "ace~8", 6));
        pa.releaseName("ian", 3);
        assertTrue(pb.claimName("lan", "lan", "lan~7", 5));
        assertEquals(1, Pg.queryLong("SELECT COUNT(*) FROM \"" + schema + "\".parley_name_key WHERE canonical = 'lan'"));
    }

    @Test
    void aVersionOneSchemaIsMigrated() {
        Pg.execute("CREATE SCHEMA \"" + schema + "\"");
        for (String sql : dev.parley.chat.cluster.internal.ClusterSchemaAccess.v1(schema)) {
            Pg.execute(sql);
        }
        Pg.execute("INSERT INTO \"" + schema + "\".parley_name (canonical, name, shared) VALUES ('old', 'Old', false)");
        Member a = start("a");
        assertEquals(2, Pg.queryLong("SELECT MAX(version) FROM \"" + schema + "\".parley_cluster_schema_version"));
        Presence p = a.cluster().presence();
        assertFalse(p.claimName("OLD", "old", "old~1", 1), "a name held before the migration stays held");
        assertEquals(new Presence.Holder("Old", "old"), p.holder("old"));
        assertTrue(p.claimName("ace", "ace", "ace~1", 2));
        assertFalse(p.claimName("асе", "асе", "асе~2", 3));
    }

    @Test
    void joinedAndLeftGoOutOnceOnTheClusterWideTransitionsInOrder() throws Exception {
        Member a = start("a");
        Member b = start("b");
        Member c = start("c");
        // c follows the room through a member of its own
        assertTrue(c.cluster().presence().join("lobby", "carol", "carol", 1));
        // ann's first connection, on a: the cluster-wide 0 -> 1
        assertTrue(a.cluster().presence().join("lobby", "Ann", "ann", 1));
        assertEquals(PresenceEvent.joined("lobby", "Ann", 0), next(c.node().presence));
        // ann's second connection, on b: no transition
        assertFalse(b.cluster().presence().join("lobby", "Ann", "ann", 5));
        List<AppendResult> sent = a.cluster().bus().publish(List.of(new NewMessage("#lobby", "ann", "hi", T0, "x1")));
        assertEquals(1, sent.get(0).message().seq());
        // a leaves: ann is still there through b
        assertFalse(a.cluster().presence().leave("lobby", "Ann", "ann", 1, "part"));
        // b leaves: the 1 -> 0, after the message
        assertTrue(b.cluster().presence().leave("lobby", "Ann", "ann", 5, "quit"));
        assertEquals(PresenceEvent.left("lobby", "Ann", "quit", 1), next(c.node().presence));
        // a barrier: the next event c sees is dave's JOINED, so nothing was repeated in between
        assertTrue(b.cluster().presence().join("lobby", "dave", "dave", 6));
        assertEquals(PresenceEvent.joined("lobby", "dave", 1), next(c.node().presence));
        // the node that decided a transition told its own members itself: it gets no event for it
        assertTrue(c.cluster().presence().join("lobby", "erin", "erin", 2));
        assertTrue(b.cluster().presence().leave("lobby", "dave", "dave", 6, "part"));
        assertEquals(PresenceEvent.left("lobby", "dave", "part", 1), next(c.node().presence));
        assertTrue(c.node().presence.isEmpty(), "c got no event for erin, its own: " + c.node().presence);
    }

    @Test
    void membersAndRoomsAreClusterWide() {
        Member a = start("a");
        Member b = start("b");
        a.cluster().presence().join("lobby", "Ann", "ann", 1);
        b.cluster().presence().join("lobby", "bob", "bob", 1);
        b.cluster().presence().join("lobby", "Ann", "ann", 2);
        b.cluster().presence().join("dev", "bob", "bob", 1);
        assertEquals(new TreeSet<>(List.of("Ann", "bob")), new TreeSet<>(a.cluster().presence().members("lobby")));
        assertEquals(List.of("bob"), a.cluster().presence().members("dev"));
        assertEquals(Map.of("lobby", 2, "dev", 1), a.cluster().presence().rooms());
        b.cluster().presence().leave("dev", "bob", "bob", 1, "part");
        assertEquals(Map.of("lobby", 2), b.cluster().presence().rooms());
        assertEquals(List.of(), a.cluster().presence().members("dev"));
    }

    @Test
    void aPublishRingsTheOtherNodesOnceCommittedAndADuplicateDoesNot() throws Exception {
        Member a = start("a");
        Member b = start("b");
        List<AppendResult> r = a.cluster().bus().publish(List.of(
                new NewMessage("#lobby", "ann", "one", T0, "1"),
                new NewMessage("#lobby", "ann", "two", T0, "2"),
                new NewMessage(Conversations.direct("ann", "bob"), "ann", "psst", T0, "3")));
        assertEquals(List.of(1L, 2L, 1L), r.stream().map(x -> x.message().seq()).toList());
        TreeSet<String> rung = new TreeSet<>(List.of(next(b.node().stored), next(b.node().stored)));
        assertEquals(new TreeSet<>(List.of("#lobby 1..2", "@ann bob 1..1")), rung);
        assertTrue(a.node().stored.isEmpty(), "a node is not told of its own messages");
        // a resend to the other node is answered as a duplicate and rings nothing; the next message does
        AppendResult again = b.cluster().bus().publish(List.of(new NewMessage("#lobby", "ann", "one", T0, "1"))).get(0);
        assertTrue(again.duplicate());
        assertEquals(1, again.message().seq());
        b.cluster().bus().publish(List.of(new NewMessage("#lobby", "bob", "three", T0, "b1")));
        assertEquals("#lobby 3..3", next(a.node().stored));
        // kicks go to the other nodes
        a.cluster().kickElsewhere("bob");
        assertEquals("bob", next(b.node().kicks));
    }

    @Test
    void anExpiredNodeIsReapedOnceItsUsersLeaveOnceAndItFencesItself() throws Exception {
        Member a = start("a");
        Member b = start("b", builder("b").rejoinAfterFencing(false));
        Member c = start("c");
        a.cluster().presence().join("lobby", "ann", "ann", 1);
        c.cluster().presence().join("lobby", "carol", "carol", 1);
        assertEquals("carol", next(a.node().presence).name());
        assertTrue(b.cluster().presence().claimName("Bob", "bob", anon("bob"), 1));
        assertTrue(b.cluster().presence().join("lobby", "Bob", "bob", 1));
        assertTrue(b.cluster().presence().join("dev", "Bob", "bob", 1));
        assertTrue(b.cluster().presence().claimName("eve", "eve", anon("eve"), 2));
        assertTrue(b.cluster().presence().join("lobby", "eve", "eve", 2));
        // ann is in lobby through a and b: her LEFT must not come
        assertFalse(b.cluster().presence().join("lobby", "ann", "ann", 3));
        assertEquals("Bob", next(a.node().presence).name());
        assertEquals("eve", next(a.node().presence).name());
        assertEquals("Bob", next(c.node().presence).name());
        assertEquals("eve", next(c.node().presence).name());
        a.cluster().bus().publish(List.of(new NewMessage("#lobby", "ann", "before", T0, "a1")));

        // b's lease runs out (as if it had stopped): the database's clock says so
        Pg.execute("UPDATE \"" + schema + "\".parley_node SET lease_until = clock_timestamp() - INTERVAL '1 second'"
                + " WHERE id = " + b.cluster().nodeId());
        for (Member m : List.of(a, c)) {
            TreeSet<String> left = new TreeSet<>();
            for (int i = 0; i < 2; i++) {
                PresenceEvent e = next(m.node().presence);
                assertEquals(PresenceEvent.Kind.LEFT, e.kind());
                assertEquals("lobby", e.room());
                assertEquals(1, e.afterSeq());
                left.add(e.name() + " " + e.reason());
            }
            assertEquals(new TreeSet<>(List.of("Bob disconnect", "eve disconnect")), left);
        }
        next(b.node().fences);
        assertTrue(b.cluster().fenced());
        // its names are free again, and it can write nothing
        assertTrue(a.cluster().presence().claimName("bob", "bob", anon("bob"), 9));
        assertThrows(FencedException.class, () -> b.cluster().bus().publish(
                List.of(new NewMessage("#lobby", "bob", "too late", T0, "late"))));
        assertThrows(StoreException.class, () -> b.cluster().store().append(
                List.of(new NewMessage("#lobby", "bob", "too late", T0, "late"))));
        assertEquals(1, a.cluster().store().head("#lobby"));
        assertEquals(List.of("ann"), a.cluster().presence().members("lobby").stream().filter(n -> !n.equals("carol")).toList());
        // a barrier: the next event is this one, so no LEFT came twice
        a.cluster().presence().join("lobby", "zed", "zed", 2);
        assertEquals("zed", next(c.node().presence).name());
    }

    @Test
    void theDatabaseRefusesANodeDeclaredDeadBeforeItKnows() throws Exception {
        Member a = start("a");
        Member b = start("b", builder("b").rejoinAfterFencing(false));
        b.cluster().bus().publish(List.of(new NewMessage("#r", "bob", "alive", T0, "1")));
        // another node declared b dead (b has not renewed since, and does not know)
        Pg.execute("UPDATE \"" + schema + "\".parley_node SET state = 'dead' WHERE id = " + b.cluster().nodeId());
        assertFalse(b.cluster().fenced());
        StoreException e = assertThrows(StoreException.class, () ->
                b.cluster().bus().publish(List.of(new NewMessage("#r", "bob", "zombie", T0, "2"))));
        assertTrue(e instanceof FencedException, e.toString());
        next(b.node().fences);
        assertTrue(b.cluster().fenced());
        assertThrows(FencedException.class, () -> b.cluster().presence().join("r", "bob", "bob", 1));
        assertEquals(1, a.cluster().store().head("#r"));
    }

    @Test
    void aFencedNodeComesBackAsANewIncarnation() throws Exception {
        Member a = start("a");
        Member b = start("b");
        long first = b.cluster().nodeId();
        Pg.execute("UPDATE \"" + schema + "\".parley_node SET state = 'dead' WHERE id = " + first);
        assertThrows(FencedException.class, () -> b.cluster().bus().publish(
                List.of(new NewMessage("#r", "bob", "zombie", T0, "2"))));
        next(b.node().fences);
        next(b.node().unfences);
        assertNotEquals(first, b.cluster().nodeId());
        assertFalse(b.cluster().fenced());
        b.cluster().bus().publish(List.of(new NewMessage("#r", "bob", "back", T0, "3")));
        assertEquals("#r 1..1", next(a.node().stored));
    }

    @Test
    void aNodeRestartedUnderItsNameReplacesItsCrashedSelfAtOnce() throws Exception {
        Member a = start("a");
        a.cluster().presence().join("lobby", "ann", "ann", 1);
        HikariDataSource crashedPool = Pg.pool(schema, "b-crashed", 6);
        pools.add(crashedPool);
        PostgresCluster crashed = PostgresCluster.builder(crashedPool).nodeName("b").lease(Duration.ofMinutes(5)).build();
        crashed.started(new FakeNode());
        crashed.presence().claimName("bob", "bob", anon("bob"), 1);
        crashed.presence().join("lobby", "bob", "bob", 1);
        assertEquals("bob", next(a.node().presence).name());
        // "b" starts again without the old one having left (its lease has minutes to go)
        Member b = start("b");
        PresenceEvent left = next(a.node().presence);
        assertEquals(PresenceEvent.left("lobby", "bob", "disconnect", 0), left);
        assertTrue(b.cluster().presence().claimName("bob", "bob", anon("bob"), 1));
        clusters.add(crashed);
    }

    @Test
    void aLostListenConnectionIsReestablishedAndWhatItMissedIsRead() throws Exception {
        Member a = start("a");
        // the node's name is unique to this run: builds running at the same time on the same
        // database have their own node "b", whose connection must not be the one ended here
        String bName = "b-" + schema;
        Member b = start(bName);
        b.cluster().presence().join("lobby", "bob", "bob", 1);
        a.cluster().bus().publish(List.of(new NewMessage("#lobby", "ann", "one", T0, "1")));
        assertEquals("#lobby 1..1", next(b.node().stored));
        // the database ends b's listening connection; a publishes while b is away
        Pg.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'parley-doorbell:" + bName + "'");
        a.cluster().bus().publish(List.of(new NewMessage("#lobby", "ann", "two", T0, "2")));
        a.cluster().presence().join("lobby", "ann", "ann", 1);
        // b hears of both, by doorbell if it was back in time, else by its re-read
        String rung = next(b.node().stored);
        assertTrue(rung.equals("#lobby 2..2") || rung.equals("#lobby 2..2"), rung);
        assertEquals(PresenceEvent.joined("lobby", "ann", 2), next(b.node().presence));
    }
}
