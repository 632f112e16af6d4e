package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.testing.RawClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the access rules do in a cluster (docs/access.md): an {@link AccessPolicy} given to every node
 * holds on every node; {@link RoomAccess} is per node. Two nodes on {@link TwoNodeClusterTest}'s
 * in-memory cluster.
 */
@Timeout(60)
class AccessRulesClusterTest {
    /** The same application policy on both nodes: "staff" is for names starting with "s-". */
    private static final AccessPolicy POLICY = (who, action, room) -> !room.equals("staff") || who.name().startsWith("s-");

    private final TwoNodeClusterTest.FakeCluster cluster = new TwoNodeClusterTest.FakeCluster();
    private final ChatServer a = node(0);
    private final ChatServer b = node(1);

    private ChatServer node(int i) {
        return ChatServer.builder().listen(TcpTransport.port(0)).store(cluster.store).cluster(cluster.member(i))
                .accessPolicy(POLICY).build().start();
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void thePolicyHoldsOnEveryNodeWhileRoomAccessHoldsOnTheNodeThatSetIt() {
        try (RawClient alice = RawClient.connect(a.port(), "alice");
                RawClient bobOnA = RawClient.connect(a.port(), "bob-a");
                RawClient bobOnB = RawClient.connect(b.port(), "bob-b");
                RawClient staffer = RawClient.connect(b.port(), "s-ann")) {
            alice.hello("alice");
            bobOnA.hello("bob");
            bobOnB.hello("bob2");
            staffer.hello("s-ann");

            // The policy, configured on both nodes, holds on both.
            bobOnA.expectError("JOIN room=staff", "FORBIDDEN");
            bobOnB.expectError("JOIN room=staff", "FORBIDDEN");
            staffer.join("staff");

            // RoomAccess set on node a: enforced for connections to a only.
            a.access().admit("board", "alice");
            a.access().makePrivate("board");
            alice.join("board");
            bobOnA.expectError("JOIN room=board", "FORBIDDEN");
            bobOnB.join("board"); // node b has no such rule
            bobOnB.call("SEND room=board :from node b");
            assertEquals("from node b", alice.next("MSG").text(), "delivery is not filtered: bob2 is a member on b");
            assertEquals(List.of("alice", "bob2"), a.members("board"));

            // remove() on a takes out only a's connections: bob2 on b stays.
            assertEquals(0, a.access().remove("board", "bob2"));
            assertEquals(List.of("alice", "bob2"), a.members("board"));
            // The same rule set on b too makes it hold cluster-wide (the application's job).
            b.access().admit("board", "alice");
            b.access().makePrivate("board");
            assertEquals("removed", bobOnB.next("LEFT").field("reason"));
            assertEquals("bob2", alice.next("LEFT").field("name"));
            assertEquals(List.of("alice"), a.members("board"));
        }
    }
}
