package dev.parley.chat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.chat.client.internal.RealChatSession;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Connector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The session's threads over a real socket: the reader against a writer that cannot write, the
 * request timers, and lines the client cannot read.
 */
@Timeout(30)
class ChatSessionLinkTest {
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

    private static CompletableFuture<ChatSession> connectAsync(ChatClient client) {
        return CompletableFuture.supplyAsync(client::connect, Executors.newVirtualThreadPerTaskExecutor());
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theReaderKeepsReadingAndAnsweringPingsWhileTheWriterIsBlockedByAServerThatStoppedReading() throws Exception {
        try (FakeServer slow = new FakeServer(8192)) {
            ChatClient client = ChatClient.builder().connector(new SmallBufferConnector(slow.port(), 8192))
                    .name("Souvik").listener(events).build();
            CompletableFuture<ChatSession> connecting = connectAsync(client);
            try (FakeServer.Peer peer = slow.acceptAndWelcome("Souvik")) {
                ChatSession session = get(connecting);
                // The server reads nothing from now on. 8 MB of messages: more than the socket buffers
                // and the client's 4 MiB queue hold, so the writer blocks and later sends are refused.
                // None of these calls may block.
                String text = "x".repeat(4000);
                List<CompletableFuture<Ack>> sent = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    sent.add(session.sendDirect("Ritam", text));
                }
                ExecutionException refused = assertThrows(ExecutionException.class, () -> get(sent.get(sent.size() - 1)));
                assertInstanceOf(ChatClientException.class, refused.getCause());
                assertTrue(refused.getCause().getMessage().contains("the server is not reading"), refused.getCause().getMessage());

                // The writer is stuck, the reader is not: it reads, answers the PING, delivers the message.
                peer.send("PING token=while-blocked");
                peer.send("MSG with=Ritam seq=1 from=Ritam time=" + T1 + " :still reading");
                assertEquals("dm Ritam 1 Ritam: still reading", events.nextStartingWith("dm"));

                // The server reads again: what was in the socket buffers, then the PONG, which goes
                // ahead of the SENDs still queued (the server does not rate-limit it), then the rest.
                long accepted = sent.stream().filter(s -> !s.isCompletedExceptionally()).count();
                int sends = 0;
                int sendsBeforePong = -1;
                while (sends < accepted || sendsBeforePong < 0) {
                    Frame f = peer.next();
                    if (f.verb().equals("PONG")) {
                        assertEquals("while-blocked", f.field("token"));
                        sendsBeforePong = sends;
                    } else {
                        assertEquals("SEND", f.verb());
                        sends++;
                    }
                }
                assertEquals(accepted, sends, "every send not refused went out");
                assertTrue(sendsBeforePong < sends, "the PONG overtook the queued SENDs: " + sendsBeforePong);
                assertTrue(sends > 100 && sends < sent.size(), sends + " sent");
                session.closeNow();
            }
        }
    }

    @Test
    void tenThousandAnsweredRequestsLeaveNoTimerBehind() throws Exception {
        ChatClient client = ChatClient.builder().address("127.0.0.1", server.port()).name("Souvik").listener(events)
                .idleTimeout(Duration.ofHours(1)).build();
        CompletableFuture<ChatSession> connecting = connectAsync(client);
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            RealChatSession session = (RealChatSession) get(connecting);
            assertEquals(1, session.pendingTimers(), "the connection's watchdog");
            for (int round = 0; round < 100; round++) {
                List<CompletableFuture<Duration>> pings = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    pings.add(session.ping());
                }
                assertEquals(101, session.pendingTimers(), "one timer per waiting request");
                for (int i = 0; i < 100; i++) {
                    peer.send("PONG ref=" + peer.expect("PING").field("ref"));
                }
                for (CompletableFuture<Duration> p : pings) {
                    get(p);
                }
            }
            assertEquals(1, session.pendingTimers(), "10,000 answered requests, no timer left but the watchdog");
            session.closeNow();
        }
    }

    @Test
    void aLineTheClientCannotReadIsLoggedAndCountedNeverTurnedIntoZeros() throws Exception {
        Logger inbound = (Logger) LoggerFactory.getLogger("dev.parley.chat.client.internal.Inbound");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        inbound.addAppender(logged);
        try {
            CompletableFuture<ChatSession> connecting = connectAsync(ChatClient.builder()
                    .address("127.0.0.1", server.port()).name("Souvik").listener(events).build());
            try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
                RealChatSession session = (RealChatSession) get(connecting);
                CompletableFuture<Joined> joined = session.join("lobby");
                peer.send("JOINED room=lobby name=Souvik head=0 ref=" + peer.expect("JOIN").field("ref"));
                get(joined);

                peer.send("MSG room=lobby seq=x1 from=Ritam time=" + T1 + " :a seq that is no number");
                peer.send("MSG room=lobby seq=1 from=Ritam time=yesterday :a time that is no time");
                peer.send("no verb here");
                peer.send("FROB room=lobby");
                CompletableFuture<Ack> sent = session.send("lobby", "hello");
                peer.send("ACK ref=" + peer.expect("SEND").field("ref") + " room=lobby seq=oops time=" + T1);
                peer.send("MSG room=lobby seq=1 from=Ritam time=" + T1 + " :fine");

                ExecutionException e = assertThrows(ExecutionException.class, () -> get(sent));
                ChatClientException unreadable = assertInstanceOf(ChatClientException.class, e.getCause());
                assertEquals(ErrorCode.BAD_VALUE, assertInstanceOf(ProtocolException.class, unreadable.getCause()).code());
                assertEquals("message lobby 1 Ritam: fine", events.nextStartingWith("message"),
                        "nothing before it: no message with seq 0 or the epoch as its time");
                assertEquals(5, session.unreadableLines());
                List<ILoggingEvent> warnings;
                synchronized (logged) {
                    warnings = List.copyOf(logged.list);
                }
                assertEquals(5, warnings.size(), warnings.toString());
                for (ILoggingEvent w : warnings) {
                    assertEquals(Level.WARN, w.getLevel());
                    assertTrue(w.getFormattedMessage().contains("ignoring a line from the server"), w.getFormattedMessage());
                }
                assertTrue(warnings.get(0).getFormattedMessage().contains("seq=x1"), warnings.get(0).getFormattedMessage());
                assertEquals(ChatSession.State.OPEN, session.state(), "the connection is kept");
                session.closeNow();
            }
        } finally {
            inbound.detachAppender(logged);
        }
    }

    @Test
    void argumentsAreCheckedWithTheProtocolsNameRulesBeforeAnythingIsSent() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(ChatClient.builder()
                .address("127.0.0.1", server.port()).name("Souvik").listener(events).build());
        try (FakeServer.Peer peer = server.acceptAndWelcome("Souvik")) {
            ChatSession session = get(connecting);
            assertThrows(IllegalArgumentException.class, () -> session.sendDirect("@ritam", "hi"));
            assertThrows(IllegalArgumentException.class, () -> session.sendDirect("server", "hi"), "reserved");
            assertThrows(IllegalArgumentException.class, () -> session.directHistory("-ritam", History.latest()));
            assertThrows(IllegalArgumentException.class, () -> session.join("the lobby"));
            assertThrows(IllegalArgumentException.class, () -> session.who("x".repeat(65)));
            assertThrows(IllegalArgumentException.class, () -> session.send("lobby", ""));
            CompletableFuture<Duration> ping = session.ping();
            peer.send("PONG ref=" + peer.expect("PING").field("ref"));
            get(ping);
            assertTrue(session.joinedRooms().isEmpty());
            session.closeNow();
        }
    }

    @Test
    void anUnreadableWelcomeFailsTheConnect() throws Exception {
        CompletableFuture<ChatSession> connecting = connectAsync(ChatClient.builder()
                .address("127.0.0.1", server.port()).name("Souvik").listener(events).build());
        try (FakeServer.Peer peer = server.accept()) {
            peer.expect("HELLO");
            peer.send("WELCOME proto=1 name=Souvik");
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(connecting));
            assertInstanceOf(ChatClientException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("unreadable WELCOME"), e.getCause().getMessage());
            peer.expectEnd();
        }
    }

    /** Plain TCP with a small send buffer, so that a server that stops reading soon blocks the writer. */
    private record SmallBufferConnector(int port, int sendBuffer) implements Connector {
        @Override
        public Connection connect() throws IOException {
            Socket socket = new Socket();
            socket.setSendBufferSize(sendBuffer);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            return new Connection() {
                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    return in.read(buffer, offset, length);
                }

                @Override
                public void write(ByteBuffer... buffers) throws IOException {
                    for (ByteBuffer b : buffers) {
                        byte[] bytes = new byte[b.remaining()];
                        b.get(bytes);
                        out.write(bytes);
                    }
                    out.flush();
                }

                @Override
                public SocketAddress remoteAddress() {
                    return socket.getRemoteSocketAddress();
                }

                @Override
                public String transportName() {
                    return "tcp";
                }

                @Override
                public void close() {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        // closing anyway
                    }
                }
            };
        }
    }
}
