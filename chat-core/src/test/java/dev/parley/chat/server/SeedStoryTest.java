package dev.parley.chat.server;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.protocol.Frame;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The original chat's story over real sockets: join, see each other, talk, leave (or drop). */
@Timeout(30)
class SeedStoryTest {
    private ChatServer server;
    private int port;

    @BeforeEach
    void start() {
        server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).build().start();
        port = server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void twoUsersJoinChatAndOneLeaves() throws Exception {
        try (RawClient souvik = RawClient.hello(port, "Souvik"); RawClient ritam = RawClient.hello(port, "ritam")) {
            souvik.send("JOIN room=Lobby ref=1");
            Frame joined = souvik.expect("JOINED");
            assertEquals("lobby", joined.field("room"));
            assertEquals("Souvik", joined.field("name"));
            assertEquals("0", joined.field("head"));
            assertEquals("1", joined.field("ref"));

            ritam.send("JOIN room=lobby");
            assertEquals("ritam", ritam.expect("JOINED").field("name"));
            Frame notice = souvik.expect("JOINED");
            assertEquals("ritam", notice.field("name"));
            assertEquals(null, notice.field("head"));

            souvik.send("SEND room=lobby ref=2 :hello\\neveryone");
            Frame ack = souvik.expect("ACK");
            assertEquals("2", ack.field("ref"));
            assertEquals("1", ack.field("seq"));
            assertEquals("lobby", ack.field("room"));
            Frame msg = ritam.expect("MSG");
            assertEquals("lobby", msg.field("room"));
            assertEquals("1", msg.field("seq"));
            assertEquals("Souvik", msg.field("from"));
            assertEquals("hello\neveryone", msg.text());
            assertEquals(ack.field("time"), msg.field("time"));
            assertTrue(msg.field("time").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), msg.field("time"));

            ritam.send("SEND room=lobby :hi Souvik");
            assertEquals("2", ritam.expect("ACK").field("seq"));
            assertEquals("hi Souvik", souvik.expect("MSG").text());

            ritam.send("PART room=lobby ref=p");
            Frame left = ritam.expect("LEFT");
            assertEquals("part", left.field("reason"));
            assertEquals("p", left.field("ref"));
            Frame told = souvik.expect("LEFT");
            assertEquals("ritam", told.field("name"));
            assertEquals("part", told.field("reason"));
            assertEquals(null, told.field("ref"));

            souvik.send("QUIT :bye");
            assertEquals("quit", souvik.expect("BYE").field("reason"));
            souvik.awaitClose();
        }
    }

    @Test
    void aDroppedConnectionProducesExactlyOneLeftPerRoom() throws Exception {
        try (RawClient a = RawClient.hello(port, "alice"); RawClient b = RawClient.hello(port, "bob")) {
            a.send("JOIN room=one");
            a.expect("JOINED");
            a.send("JOIN room=two");
            a.expect("JOINED");
            b.send("JOIN room=one");
            b.expect("JOINED");
            b.send("JOIN room=two");
            b.expect("JOINED");
            a.expect("JOINED");
            a.expect("JOINED");

            b.close(); // the socket just drops
            Frame l1 = a.expect("LEFT");
            Frame l2 = a.expect("LEFT");
            assertEquals("disconnect", l1.field("reason"));
            assertEquals("disconnect", l2.field("reason"));
            assertEquals(List.of("one", "two"), List.of(l1.field("room"), l2.field("room")).stream().sorted().toList());
            // Nothing more about bob: a PING round trip proves no further LEFT is queued before it.
            a.send("PING token=t");
            assertEquals("t", a.expect("PONG").field("token"));
            a.send("WHO room=one ref=w");
            List<Frame> who = a.untilEnd();
            assertEquals(2, who.size());
            assertEquals("alice", who.get(0).field("name"));
        }
    }

    @Test
    void joinReplaysRecentMessagesAndHistoryPages() throws Exception {
        try (RawClient a = RawClient.hello(port, "alice")) {
            a.send("JOIN room=r");
            a.expect("JOINED");
            for (int i = 1; i <= 5; i++) {
                a.send("SEND room=r :m" + i);
                a.expect("ACK");
            }
            try (RawClient b = RawClient.hello(port, "bob")) {
                b.send("JOIN room=r");
                assertEquals("5", b.expect("JOINED").field("head"));
                for (int i = 1; i <= 5; i++) {
                    Frame m = b.expect("MSG");
                    assertEquals("m" + i, m.text());
                    assertEquals(null, m.field("ref"));
                }
                b.send("HISTORY room=r before=5 limit=2 ref=h");
                List<Frame> page = b.untilEnd();
                assertEquals(3, page.size());
                assertEquals("3", page.get(0).field("seq"));
                assertEquals("4", page.get(1).field("seq"));
                assertEquals("h", page.get(0).field("ref"));
                assertEquals("2", page.get(2).field("count"));
                assertEquals("1", page.get(2).field("more"));
                b.send("HISTORY room=r after=3 ref=h2");
                page = b.untilEnd();
                assertEquals(List.of("4", "5"), page.subList(0, 2).stream().map(f -> f.field("seq")).toList());
                assertEquals("0", page.get(2).field("more"));
                b.send("HISTORY room=r limit=1234567890123456789012 ref=huge");
                assertEquals(6, b.untilEnd().size(), "a huge limit is clamped, not refused");
                b.send("HISTORY room=r limit=0 ref=bad");
                assertEquals("BAD_VALUE", b.expect("ERROR").field("code"));
                b.send("HISTORY room=other ref=x");
                assertEquals("NOT_IN_ROOM", b.expect("ERROR").field("code"));
            }
        }
    }

    @Test
    void whoAndRoomsList() throws Exception {
        try (RawClient a = RawClient.hello(port, "alice"); RawClient b = RawClient.hello(port, "bob")) {
            a.send("JOIN room=lobby");
            a.expect("JOINED");
            b.send("JOIN room=lobby");
            b.expect("JOINED");
            b.send("JOIN room=dev");
            b.expect("JOINED");
            a.send("WHO room=LOBBY ref=1");
            List<Frame> who = a.untilEnd();
            // a may first see bob's JOINED notice
            who.removeIf(f -> f.verb().equals("JOINED"));
            assertEquals(List.of("alice", "bob"), who.subList(0, 2).stream().map(f -> f.field("name")).toList());
            assertEquals("2", who.get(2).field("count"));
            a.send("ROOMS ref=2");
            List<Frame> rooms = a.untilEnd();
            assertEquals(List.of("dev:1", "lobby:2"),
                    rooms.subList(0, 2).stream().map(f -> f.field("name") + ":" + f.field("members")).toList());
            a.send("WHO room=nowhere");
            assertEquals("NO_SUCH_ROOM", a.expect("ERROR").field("code"));
            assertEquals(List.of("dev", "lobby"), server.rooms());
            assertEquals(List.of("alice", "bob"), server.members("Lobby"));
        }
    }

    @Test
    void namesAreUniqueAndRequestsNeedHello() throws Exception {
        try (RawClient a = RawClient.hello(port, "Souvik"); RawClient b = RawClient.tcp(port)) {
            b.send("JOIN room=x ref=9");
            Frame e = b.expect("ERROR");
            assertEquals("NOT_REGISTERED", e.field("code"));
            assertEquals("9", e.field("ref"));
            b.send("HELLO proto=1 name=SOUVIK");
            assertEquals("NAME_TAKEN", b.expect("ERROR").field("code"));
            b.send("HELLO proto=1 name=bad name");
            b.send("HELLO proto=1 name=server");
            assertEquals("INVALID_NAME", b.await(f -> f.verb().equals("ERROR") && !"BAD_FRAME".equals(f.field("code")))
                    .field("code"));
            b.send("HELLO proto=1 name=other");
            b.expect("WELCOME");
            b.send("HELLO proto=1 name=again");
            assertEquals("ALREADY_REGISTERED", b.expect("ERROR").field("code"));
            b.send("FROB");
            assertEquals("UNKNOWN_COMMAND", b.expect("ERROR").field("code"));
            a.send("HELLO proto=2 name=x");
            assertEquals("ALREADY_REGISTERED", a.expect("ERROR").field("code"));
        }
        try (RawClient c = RawClient.tcp(port)) {
            c.send("HELLO proto=one name=newer");
            assertEquals("BAD_VALUE", c.expect("ERROR").field("code"));
            c.send("HELLO proto=2,3 name=newer ref=v");
            List<Frame> last = c.awaitClose();
            assertEquals("UNSUPPORTED_VERSION", last.get(0).field("code"));
            assertEquals("v", last.get(0).field("ref"));
            assertEquals("unsupported-version", last.get(1).field("reason"));
        }
    }

    @Test
    void inMemoryTransportFeedsTheSameRooms() throws Exception {
        InMemoryTransport memory = InMemoryTransport.create();
        try (ChatServer both = ChatServer.builder().listen(TcpTransport.port(0)).listen(memory)
                .store(InMemoryMessageStore.create()).build().start();
                RawClient tcp = RawClient.hello(both.port(), "tcpuser");
                RawClient mem = RawClient.over(memory)) {
            mem.send("HELLO proto=1 name=memuser");
            mem.expect("WELCOME");
            tcp.send("JOIN room=mix");
            tcp.expect("JOINED");
            mem.send("JOIN room=mix");
            mem.expect("JOINED");
            assertEquals("memuser", tcp.expect("JOINED").field("name"));
            mem.send("SEND room=mix :from memory");
            mem.expect("ACK");
            assertEquals("from memory", tcp.expect("MSG").text());
            tcp.send("SEND room=mix :from tcp");
            assertEquals("from tcp", mem.expect("MSG").text());
            assertEquals(2, both.addresses().size());
        }
    }
}
