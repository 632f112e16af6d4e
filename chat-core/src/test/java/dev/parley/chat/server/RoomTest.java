package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A room's hand-over from a joining member's replay to live delivery, and its presence notices,
 * without sockets: sessions over {@link CaptureConnection}s, driven directly.
 */
@Timeout(20)
class RoomTest {
    private final InMemoryMessageStore store = InMemoryMessageStore.create();
    private final ChatServer server = ChatServer.builder().listen(InMemoryTransport.create())
            .store(store).build();
    private final Hub hub = server.hub();
    private long ids;

    @AfterEach
    void close() {
        server.close();
    }

    private Session session(String name) {
        CaptureConnection c = new CaptureConnection();
        Session s = new Session(++ids, c, hub.shared);
        s.user = hub.users.register(s, name, name.toLowerCase(), name.toLowerCase() + "~test" + ids);
        return s;
    }

    private static List<String> lines(Session s) {
        return ((CaptureConnection) s.connection).frames().stream().map(Frame::toString).toList();
    }

    private StoredMessage post(Room room, String text) {
        NewMessage m = new NewMessage(room.key, "sys", text, Instant.parse("2026-01-01T00:00:00Z"), null);
        return hub.publisher.publish(List.of(room), List.of(m), null).get(0).message();
    }

    @Test
    void whatArrivesDuringTheReplayIsSentRightAfterIt_withoutGapOrDuplicate() {
        Room room = hub.directory.room("r", true);
        Session anna = session("anna");
        room.join(anna, anna.user);
        room.goLive(anna);
        post(room, "before");
        Session bob = session("bob");
        long head = room.join(bob, bob.user);
        assertEquals(1, head, "the head bob's replay ends at");
        post(room, "during the replay");
        assertEquals(List.of(), lines(bob), "held back while bob's replay is read");
        bob.out.send(Wire.encode(new dev.parley.chat.protocol.ServerMessage.Joined("r", "bob", head, null)));
        room.goLive(bob);
        post(room, "live");
        List<Frame> got = ((CaptureConnection) bob.connection).awaitFrames(3);
        assertEquals("JOINED room=r name=bob head=1", got.get(0).toString());
        assertEquals("2", got.get(1).field("seq"), "the backlog right after the reply, from head + 1");
        assertEquals("3", got.get(2).field("seq"));
        List<Frame> annas = ((CaptureConnection) anna.connection).awaitFrames(4);
        assertEquals(List.of("MSG", "JOINED", "MSG", "MSG"), annas.stream().map(Frame::verb).toList());
    }

    @Test
    void presenceIsPerIdentity_andANoticeFromElsewhereKeepsTheRoomsOrder() {
        Room room = hub.directory.room("r", true);
        Session anna = session("anna");
        room.join(anna, anna.user);
        room.goLive(anna);
        Session bob1 = session("bob");
        room.join(bob1, bob1.user);
        room.goLive(bob1);
        room.leave(bob1, bob1.user, "part");
        StoredMessage m1 = post(room, "one");
        room.notice(dev.parley.chat.server.spi.PresenceEvent.joined("r", "Carol", m1.seq()));
        post(room, "two");
        List<Frame> got = ((CaptureConnection) anna.connection).awaitFrames(5);
        assertEquals(List.of("JOINED room=r name=bob", "LEFT room=r name=bob reason=part", "MSG", "JOINED room=r name=Carol",
                "MSG"), got.stream().map(f -> f.verb().equals("MSG") ? "MSG" : f.toString()).toList());
    }
}
