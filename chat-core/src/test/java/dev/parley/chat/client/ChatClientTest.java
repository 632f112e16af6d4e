package dev.parley.chat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against a scripted server on a real socket: every frame it sends and how it reads the answers. */
@Timeout(20)
class ChatClientTest {
    private static final String T1 = "2026-11-23T10:00:00.123Z";

    private FakeServer server;
    private final RecordingListener events = new RecordingListener();

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private ChatClient.Builder client(String name) {
        return ChatClient.builder().address("127.0.0.1", server.port()).name(name).listener(events)
                .reconnectDelay(Duration.ofMillis(1), Duration.ofMillis(20));
    }

    private static CompletableFuture<ChatSession> connectAsync(ChatClient client) {
        return CompletableFuture.supplyAsync(client::connect, Executors.newVirtualThreadPerTaskExecutor());
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void joinsSendsAndReadsHistoryMatchingAnswersByRef() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            assertEquals(ChatSession.State.OPEN, session.state());
            assertEquals("state CONNECTING->OPEN", events.next());

            CompletableFuture<Joined> joined = session.join("Lobby");
            Frame join = peer.expect("JOIN");
            assertEquals("lobby", join.field("room"));
            assertFalse(join.has("since"));
            peer.send("JOINED room=lobby name=Souvik head=2 ref=" + join.field("ref"));
            peer.send("MSG room=lobby seq=1 from=Ritam time=" + T1 + " :hi");
            peer.send("MSG room=lobby seq=2 from=Ritam time=" + T1 + " :two\\nlines");
            assertEquals(new Joined("lobby", 2), get(joined));
            assertEquals("message lobby 1 Ritam: hi", events.next());
            assertEquals("message lobby 2 Ritam: two\nlines", events.next());

            CompletableFuture<Ack> sent = session.send("lobby", "hello");
            Frame send = peer.expect("SEND");
            assertEquals("lobby", send.field("room"));
            assertEquals("hello", send.text());
            String id = send.field("id");
            assertTrue(id != null && id.matches("[A-Za-z0-9._:-]{1,64}"), id);
            peer.send("ACK ref=" + send.field("ref") + " room=lobby seq=3 time=" + T1 + " id=" + id);
            Ack ack = get(sent);
            assertEquals(new Ack("lobby", null, 3, Instant.parse(T1), id), ack);
            assertEquals(OptionalLong.of(3), session.lastSeq("lobby"));

            CompletableFuture<List<ChatMessage>> older = session.history("lobby", History.before(ack.seq()).limit(50));
            Frame history = peer.expect("HISTORY");
            assertEquals("3", history.field("before"));
            assertEquals("50", history.field("limit"));
            String ref = history.field("ref");
            peer.send("MSG room=lobby seq=1 from=Ritam time=" + T1 + " ref=" + ref + " :hi");
            peer.send("MSG room=lobby seq=2 from=Ritam time=" + T1 + " ref=" + ref + " :two");
            peer.send("END ref=" + ref + " count=2 more=0");
            List<ChatMessage> msgs = get(older);
            assertEquals(List.of(1L, 2L), msgs.stream().map(ChatMessage::seq).toList());
            assertEquals("two", msgs.get(1).text());

            CompletableFuture<List<String>> who = session.who("lobby");
            Frame w = peer.expect("WHO");
            peer.send("MEMBER room=lobby name=Ritam ref=" + w.field("ref"));
            peer.send("MEMBER room=lobby name=Souvik ref=" + w.field("ref"));
            peer.send("END ref=" + w.field("ref") + " count=2 more=0");
            assertEquals(List.of("Ritam", "Souvik"), get(who));

            CompletableFuture<List<RoomInfo>> rooms = session.rooms();
            Frame rs = peer.expect("ROOMS");
            peer.send("ROOM name=lobby members=2 ref=" + rs.field("ref"));
            peer.send("END ref=" + rs.field("ref") + " count=1 more=0");
            assertEquals(List.of(new RoomInfo("lobby", 2)), get(rooms));

            // A paged answer: the session asks for the next page after the last name, same ref.
            rooms = session.rooms();
            rs = peer.expect("ROOMS");
            assertEquals(null, rs.field("after"));
            peer.send("ROOM name=a members=1 ref=" + rs.field("ref"));
            peer.send("END ref=" + rs.field("ref") + " count=1 more=1");
            Frame next = peer.expect("ROOMS");
            assertEquals("a", next.field("after"));
            assertEquals(rs.field("ref"), next.field("ref"));
            peer.send("ROOM name=b members=0 ref=" + next.field("ref"));
            peer.send("END ref=" + next.field("ref") + " count=1 more=0");
            assertEquals(List.of(new RoomInfo("a", 1), new RoomInfo("b", 0)), get(rooms));

            CompletableFuture<Duration> ping = session.ping();
            Frame p = peer.expect("PING");
            peer.send("PONG ref=" + p.field("ref"));
            assertFalse(get(ping).isNegative());

            CompletableFuture<Ack> dm = session.sendDirect("Ritam", "psst");
            Frame d = peer.expect("SEND");
            assertEquals("Ritam", d.field("to"));
            assertNotEquals(id, d.field("id"));
            peer.send("ACK ref=" + d.field("ref") + " to=Ritam seq=1 time=" + T1 + " id=" + d.field("id"));
            assertEquals(1, get(dm).seq());

            CompletableFuture<Void> part = session.part("lobby");
            Frame pt = peer.expect("PART");
            peer.send("LEFT room=lobby name=Souvik reason=part ref=" + pt.field("ref"));
            get(part);
            assertTrue(session.joinedRooms().isEmpty());
        }
    }

    @Test
    void eventsRunInOrderOnTheClientsEventThreadNotTheReader() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            CompletableFuture<Joined> joined = session.join("lobby");
            Frame join = peer.expect("JOIN");
            peer.send("JOINED room=lobby name=Souvik head=0 ref=" + join.field("ref"));
            get(joined);
            peer.send("JOINED room=lobby name=Ritam");
            peer.send("MSG room=lobby seq=1 from=Ritam time=" + T1 + " :hello");
            peer.send("MSG with=Ritam seq=4 from=Ritam time=" + T1 + " :secret");
            peer.send("GAP room=lobby from=2 to=9 reason=retention");
            peer.send("MSG room=lobby seq=9 from=Ritam time=" + T1 + " :old, dropped");
            peer.send("MSG room=lobby seq=10 from=Ritam time=" + T1 + " :after the gap");
            peer.send("LEFT room=lobby name=Ritam reason=quit");
            peer.send("ERROR code=RATE_LIMITED :slow down");
            assertEquals("state CONNECTING->OPEN", events.next());
            assertEquals("joined lobby Ritam", events.next());
            assertEquals("message lobby 1 Ritam: hello", events.next());
            assertEquals("dm Ritam 4 Ritam: secret", events.next());
            assertEquals("gap lobby 2..9 retention", events.next());
            assertEquals("message lobby 10 Ritam: after the gap", events.next());
            assertEquals("left lobby Ritam quit", events.next());
            assertEquals("error RATE_LIMITED", events.next());
            for (String thread : events.threads) {
                assertTrue(thread.startsWith("parley-client-events-"), thread);
            }
            session.closeNow();
        }
    }

    @Test
    void serverErrorsFailTheRequestWithTheirCode() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            CompletableFuture<Ack> sent = session.send("nowhere", "hello");
            Frame send = peer.expect("SEND");
            peer.send("ERROR code=NOT_IN_ROOM ref=" + send.field("ref") + " :you are not in nowhere");
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(sent));
            ProtocolException pe = assertInstanceOf(ProtocolException.class, e.getCause());
            assertEquals(ErrorCode.NOT_IN_ROOM, pe.code());
            assertEquals("you are not in nowhere", pe.getMessage());

            CompletableFuture<Joined> joined = session.join("bad");
            Frame join = peer.expect("JOIN");
            peer.send("ERROR code=TOO_MANY_ROOMS ref=" + join.field("ref") + " :too many");
            e = assertThrows(ExecutionException.class, () -> get(joined));
            assertEquals(ErrorCode.TOO_MANY_ROOMS, ((ProtocolException) e.getCause()).code());
            assertTrue(session.joinedRooms().isEmpty());
            session.closeNow();
        }
    }

    @Test
    void aTakenNameFailsConnectWithNameTaken() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.accept()) {
            peer.expect("HELLO");
            peer.send("ERROR code=NAME_TAKEN :Souvik is taken");
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(connecting));
            assertEquals(ErrorCode.NAME_TAKEN, assertInstanceOf(ProtocolException.class, e.getCause()).code());
            peer.expectEnd();
        }
    }

    @Test
    void anUnreachableServerFailsConnect() throws Exception {
        int port = server.port();
        server.close();
        ChatClient client = ChatClient.builder().address("127.0.0.1", port).name("Souvik").build();
        ChatClientException e = assertThrows(ChatClientException.class, client::connect);
        assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
    }

    @Test
    void answersTheServersPing() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            peer.send("PING token=abc");
            assertEquals("abc", peer.expect("PONG").field("token"));
            session.closeNow();
        }
    }

    @Test
    void aRequestWithoutAnswerTimesOut() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").requestTimeout(Duration.ofMillis(200)).build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            CompletableFuture<List<RoomInfo>> rooms = session.rooms();
            peer.expect("ROOMS");
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(rooms));
            assertInstanceOf(TimeoutException.class, e.getCause());
            session.closeNow();
        }
    }

    @Test
    void closeSendsQuitAndWaitsForBye() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            CompletableFuture<Void> closed = CompletableFuture.runAsync(session::close, Executors.newVirtualThreadPerTaskExecutor());
            peer.expect("QUIT");
            peer.send("BYE reason=quit");
            peer.close();
            get(closed);
            assertEquals(ChatSession.State.CLOSED, session.state());
            assertEquals("state CONNECTING->OPEN", events.next());
            assertEquals("disconnected quit", events.next());
            assertEquals("state OPEN->CLOSED", events.next());
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(session.ping()));
            assertInstanceOf(ChatClientException.class, e.getCause());
        }
    }

    @Test
    void closeNowFailsWaitingRequestsAndClosesTheSocket() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            CompletableFuture<List<String>> who = session.who("lobby");
            peer.expect("WHO");
            session.closeNow();
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(who));
            assertInstanceOf(ChatClientException.class, e.getCause());
            peer.expectEnd();
            assertEquals(ChatSession.State.CLOSED, session.state());
        }
    }

    @Test
    void reconnectsRejoinsSinceTheLastSeqAndResendsUnacknowledgedMessagesWithTheSameId() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        ChatSession session;
        String sendId;
        CompletableFuture<Ack> sent;
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            session = get(connecting);
            CompletableFuture<Joined> joined = session.join("lobby");
            Frame join = peer.expect("JOIN");
            peer.send("JOINED room=lobby name=Souvik head=5 ref=" + join.field("ref"));
            peer.send("MSG room=lobby seq=4 from=Ritam time=" + T1 + " :four");
            peer.send("MSG room=lobby seq=5 from=Ritam time=" + T1 + " :five");
            get(joined);
            sent = session.send("lobby", "are you there?");
            Frame send = peer.expect("SEND");
            sendId = send.field("id");
            // The connection drops before the ACK.
        }
        assertEquals("state CONNECTING->OPEN", events.next());
        assertEquals("message lobby 4 Ritam: four", events.next());
        assertEquals("message lobby 5 Ritam: five", events.next());
        assertEquals("disconnected disconnect", events.next());
        assertEquals("state OPEN->RECONNECTING", events.next());

        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            Frame rejoin = peer.expect("JOIN");
            assertEquals("lobby", rejoin.field("room"));
            assertEquals("5", rejoin.field("since"));
            Frame resend = peer.expect("SEND");
            assertEquals(sendId, resend.field("id"));
            assertEquals("are you there?", resend.text());
            peer.send("JOINED room=lobby name=Souvik head=7 ref=" + rejoin.field("ref"));
            peer.send("MSG room=lobby seq=5 from=Ritam time=" + T1 + " :five again, dropped");
            peer.send("MSG room=lobby seq=6 from=Ritam time=" + T1 + " :six, missed while away");
            peer.send("ACK ref=" + resend.field("ref") + " room=lobby seq=7 time=" + T1 + " id=" + sendId);
            peer.send("MSG room=lobby seq=8 from=Ritam time=" + T1 + " :eight, live");
            assertEquals(7, get(sent).seq());
            assertEquals("state RECONNECTING->OPEN", events.next());
            assertEquals("reconnected", events.next());
            assertEquals("message lobby 6 Ritam: six, missed while away", events.next());
            assertEquals("message lobby 8 Ritam: eight, live", events.next());
            assertEquals(OptionalLong.of(8), session.lastSeq("lobby"));
            session.closeNow();
            assertEquals("disconnected closed", events.next());
            assertEquals("state OPEN->CLOSED", events.next());
        }
    }

    @Test
    void afterAReconnectThe32MostRecentDirectConversationsAreCaughtUpInOrder() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            get(connecting);
            for (int i = 0; i < 40; i++) {
                peer.send("MSG with=u" + i + " seq=1 from=u" + i + " time=" + T1 + " :hi " + i);
            }
        }
        assertEquals("state CONNECTING->OPEN", events.next());
        for (int i = 0; i < 40; i++) {
            assertEquals("dm u" + i + " 1 u" + i + ": hi " + i, events.next());
        }
        assertEquals("disconnected disconnect", events.next());
        assertEquals("state OPEN->RECONNECTING", events.next());

        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            java.util.Map<String, Frame> asked = new java.util.LinkedHashMap<>();
            for (int i = 8; i < 40; i++) {
                Frame h = peer.expect("HISTORY");
                assertEquals("1", h.field("after"));
                asked.put(h.field("with"), h);
            }
            assertEquals(java.util.stream.IntStream.range(8, 40).mapToObj(i -> "u" + i).toList(),
                    List.copyOf(asked.keySet()), "the 32 most recent conversations, least recent first");
            assertEquals("state RECONNECTING->OPEN", events.next());
            assertEquals("reconnected", events.next());
            // u39 sends live while its catch-up runs: held until the missed message is delivered.
            peer.send("MSG with=u39 seq=3 from=u39 time=" + T1 + " :live");
            String ref = asked.get("u39").field("ref");
            peer.send("MSG with=u39 seq=2 from=u39 time=" + T1 + " ref=" + ref + " :missed");
            peer.send("MSG with=u39 seq=3 from=u39 time=" + T1 + " ref=" + ref + " :live");
            peer.send("END ref=" + ref + " count=2 more=0");
            assertEquals("dm u39 2 u39: missed", events.next());
            assertEquals("dm u39 3 u39: live", events.next());
            // u8 missed nothing; its live messages flow once its catch-up answered.
            peer.send("MSG with=u8 seq=2 from=u8 time=" + T1 + " :later");
            peer.send("END ref=" + asked.get("u8").field("ref") + " count=0 more=0");
            assertEquals("dm u8 2 u8: later", events.next());
        }
    }

    @Test
    void requestsMadeWhileReconnectingAreSentOnceOpen() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        ChatSession session;
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            session = get(connecting);
        }
        events.nextStartingWith("state OPEN->RECONNECTING");
        CompletableFuture<List<RoomInfo>> rooms = session.rooms();
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            Frame r = peer.expect("ROOMS");
            peer.send("END ref=" + r.field("ref") + " count=0 more=0");
            assertEquals(List.of(), get(rooms));
            session.closeNow();
        }
    }

    @Test
    void aServerShutdownIsReportedWithItsReasonAndReconnectRetriesATakenName() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").build());
        ChatSession session;
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            session = get(connecting);
            peer.send("ERROR code=SHUTTING_DOWN :bye");
            peer.send("BYE reason=shutdown");
        }
        assertEquals("state CONNECTING->OPEN", events.next());
        assertEquals("error SHUTTING_DOWN", events.next());
        assertEquals("disconnected shutdown", events.next());
        assertEquals("state OPEN->RECONNECTING", events.next());
        try (FakeServer.Peer peer = server.accept()) {
            peer.expect("HELLO");
            peer.send("ERROR code=NAME_TAKEN :still held by the old connection");
            peer.expectEnd();
        }
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            assertEquals("state RECONNECTING->OPEN", events.next());
            assertEquals("reconnected", events.next());
            session.closeNow();
        }
    }

    @Test
    void withoutReconnectADropClosesTheSession() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").reconnect(false).build());
        ChatSession session;
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            session = get(connecting);
            peer.send("BYE reason=kicked");
        }
        assertEquals("state CONNECTING->OPEN", events.next());
        assertEquals("disconnected kicked", events.next());
        assertEquals("state OPEN->CLOSED", events.next());
        assertEquals(ChatSession.State.CLOSED, session.state());
    }

    @Test
    void aSilentServerIsPingedThenDroppedAndTheClientReconnects() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(client("Souvik").idleTimeout(Duration.ofMillis(400)).build());
        ChatSession session;
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            session = get(connecting);
            // The server says nothing (as if it had vanished): the client pings, then gives up on it.
            assertEquals("idle", peer.expect("PING").field("token"));
            peer.expectEnd();
        }
        assertEquals("state CONNECTING->OPEN", events.next());
        assertEquals("disconnected timeout", events.next());
        assertEquals("state OPEN->RECONNECTING", events.next());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            assertEquals("state RECONNECTING->OPEN", events.next());
            session.closeNow();
        }
    }

    @Test
    void builderNamesTheBadSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatClient.builder().name("x").build());
        assertTrue(e.getMessage().contains("address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ChatClient.builder().address("localhost", 1).build());
        assertTrue(e.getMessage().contains("name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ChatClient.builder().address("localhost", 1).name("x").requestTimeout(Duration.ZERO).build());
        assertTrue(e.getMessage().contains("requestTimeout"), e.getMessage());
    }
}
