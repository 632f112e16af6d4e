package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.spi.Cluster;
import dev.parley.chat.server.spi.MessageBus;
import dev.parley.chat.server.spi.Node;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two servers in one JVM made one chat through the cluster SPI by a small in-memory cluster (one
 * shared store, one shared presence, doorbells and presence events handed to the other node): what
 * the PostgreSQL cluster does with a database. Shows that the seams carry everything a cluster needs.
 */
@Timeout(60)
class TwoNodeClusterTest {
    /** The "database" of the fake cluster, and its members. */
    static final class FakeCluster {
        final MessageStore store = InMemoryMessageStore.create();
        final LocalPresence presence = new LocalPresence();
        final List<Node> nodes = new CopyOnWriteArrayList<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        Cluster member(int index) {
            return new Cluster() {
                Node me;

                @Override
                public MessageBus bus() {
                    return messages -> {
                        List<AppendResult> results = store.append(messages);
                        for (AppendResult r : results) {
                            if (!r.duplicate()) {
                                others(me).forEach(n -> n.messagesStored(r.message().conversation(), r.message().seq(),
                                        r.message().seq()));
                            }
                        }
                        return results;
                    };
                }

                @Override
                public Presence presence() {
                    long offset = index * 1_000_000_000L;
                    return new Presence() {
                        @Override
                        public boolean claimName(String name, String canonical, String identity, long id) {
                            return presence.claimName(name, canonical, identity, offset + id);
                        }

                        @Override
                        public void releaseName(String canonical, long id) {
                            presence.releaseName(canonical, offset + id);
                        }

                        @Override
                        public Holder holder(String canonical) {
                            return presence.holder(canonical);
                        }

                        @Override
                        public boolean join(String room, String name, String canonical, long id) {
                            boolean first = presence.join(room, name, canonical, offset + id);
                            if (first) {
                                PresenceEvent e = PresenceEvent.joined(room, name, store.head(Conversations.room(room)));
                                others(me).forEach(n -> n.presenceChanged(e));
                            }
                            return first;
                        }

                        @Override
                        public boolean leave(String room, String name, String canonical, long id, String reason) {
                            boolean last = presence.leave(room, name, canonical, offset + id, reason);
                            if (last) {
                                PresenceEvent e = PresenceEvent.left(room, name, reason, store.head(Conversations.room(room)));
                                others(me).forEach(n -> n.presenceChanged(e));
                            }
                            return last;
                        }

                        @Override
                        public List<String> members(String room) {
                            return presence.members(room);
                        }

                        @Override
                        public Map<String, Integer> rooms() {
                            return presence.rooms();
                        }
                    };
                }

                @Override
                public void started(Node node) {
                    me = node;
                    nodes.add(node);
                    calls.add("started " + index);
                }

                @Override
                public void stopping() {
                    calls.add("stopping " + index);
                }

                @Override
                public void stopped() {
                    nodes.remove(me);
                    calls.add("stopped " + index);
                }

                @Override
                public int kickElsewhere(String canonical) {
                    return others(me).stream().mapToInt(n -> n.kick(canonical)).sum();
                }
            };
        }

        List<Node> others(Node me) {
            List<Node> out = new ArrayList<>(nodes);
            out.remove(me);
            return out;
        }
    }

    private final FakeCluster cluster = new FakeCluster();
    private final ChatServer a = node(0);
    private final ChatServer b = node(1);

    private ChatServer node(int i) {
        return ChatServer.builder().listen(TcpTransport.port(0)).store(cluster.store).cluster(cluster.member(i))
                .rateLimit(10_000, 10_000).build().start();
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        assertEquals(List.of("started 0", "started 1", "stopping 0", "stopped 0", "stopping 1", "stopped 1"), cluster.calls);
    }

    @Test
    void namesPresenceMessagesDirectMessagesAndKicksWorkAcrossNodes() {
        try (RawClient anna = RawClient.connect(a.port(), "anna");
                RawClient bob = RawClient.connect(b.port(), "bob")) {
            anna.hello("anna");
            assertEquals("NAME_TAKEN", bob.call("HELLO proto=1 name=ANNA").field("code"), "names are cluster-wide");
            bob.hello("bob");
            anna.join("lobby");
            bob.join("lobby");
            assertEquals("JOINED room=lobby name=bob", anna.next("JOINED").toString(), "a remote JOINED");

            // Both send at once; each sees one gap-free order: its own as ACKs, the other's as MSGs.
            Thread t = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 30; i++) {
                    bob.send("SEND room=lobby :b" + i);
                }
            });
            for (int i = 0; i < 30; i++) {
                anna.send("SEND room=lobby :a" + i);
            }
            assertTrue(joinQuietly(t));
            assertEquals(seqs(1, 60), seen(anna, 60), "anna");
            assertEquals(seqs(1, 60), seen(bob, 60), "bob");

            anna.call("SEND to=bob :psst");
            Frame dm = bob.next(f -> f.verb().equals("MSG") && f.field("with") != null);
            assertEquals("MSG with=anna seq=1 from=anna", dm.toString().substring(0, dm.toString().indexOf(" time=")));

            List<String> who = bob.callAll("WHO room=lobby").stream().filter(f -> f.verb().equals("MEMBER"))
                    .map(f -> f.field("name")).toList();
            assertEquals(List.of("anna", "bob"), who);
            assertEquals(List.of("lobby"), a.rooms());

            assertEquals(1, a.kick("bob"), "kicked on the other node");
            assertEquals("BYE reason=kicked", bob.next("BYE").toString());
            assertEquals("LEFT room=lobby name=bob reason=kicked", anna.next("LEFT").toString());
            assertEquals(List.of("anna"), a.members("lobby"));
        }
    }

    private static boolean joinQuietly(Thread t) {
        try {
            return t.join(java.time.Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Long> seqs(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    /** The seqs a member learnt, in the order it learnt them: MSGs from the other node, ACKs for its own. */
    private static List<Long> seen(RawClient c, int n) {
        List<Long> out = new ArrayList<>();
        long lastMsg = 0;
        while (out.size() < n) {
            Frame f = c.next(x -> x.verb().equals("MSG") || x.verb().equals("ACK"));
            long seq = Long.parseLong(f.field("seq"));
            if (f.verb().equals("MSG")) {
                assertTrue(seq > lastMsg, "MSGs in increasing seq: " + seq + " after " + lastMsg);
                lastMsg = seq;
            }
            out.add(seq);
        }
        out.sort(null);
        return out;
    }
}
