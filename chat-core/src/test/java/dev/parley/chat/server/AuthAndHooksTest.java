package dev.parley.chat.server;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Authentication, identities with several connections, listener and filter hooks, kick and post. */
@Timeout(30)
class AuthAndHooksTest {

    private static final Authenticator TOKENS = request -> {
        if ("alice-secret".equals(request.token())) {
            return Authenticator.Result.identity("alice");
        }
        if (request.token() == null) {
            return Authenticator.Result.anonymous(request.name());
        }
        return Authenticator.Result.reject("bad token");
    };

    @Test
    void anIdentityMayHoldSeveralConnectionsAndPresenceIsPerIdentity() throws Exception {
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .authenticator(TOKENS).build().start();
                RawClient phone = RawClient.tcp(server.port());
                RawClient laptop = RawClient.tcp(server.port());
                RawClient bob = RawClient.hello(server.port(), "bob");
                RawClient impostor = RawClient.tcp(server.port());
                RawClient wrong = RawClient.tcp(server.port())) {
            phone.send("HELLO proto=1 name=whatever token=alice-secret");
            assertEquals("alice", phone.expect("WELCOME").field("name"));
            laptop.send("HELLO proto=1 name=alice token=alice-secret");
            laptop.expect("WELCOME");
            impostor.send("HELLO proto=1 name=Alice");
            assertEquals("NAME_TAKEN", impostor.expect("ERROR").field("code"));
            wrong.send("HELLO proto=1 name=carol token=nope");
            List<Frame> closed = wrong.awaitClose();
            assertEquals("AUTH_FAILED", closed.get(0).field("code"));
            assertEquals("auth-failed", closed.get(1).field("reason"));

            bob.send("JOIN room=r");
            bob.expect("JOINED");
            phone.send("JOIN room=r");
            phone.expect("JOINED");
            assertEquals("alice", bob.expect("JOINED").field("name"));
            laptop.send("JOIN room=r");
            laptop.expect("JOINED");
            bob.send("WHO room=r ref=w");
            List<Frame> who = bob.untilEnd(); // no second JOINED for alice came before this
            assertEquals(List.of("MEMBER", "MEMBER", "END"), who.stream().map(Frame::verb).toList());

            bob.send("SEND room=r :hi alice");
            bob.expect("ACK");
            assertEquals("hi alice", phone.expect("MSG").text());
            assertEquals("hi alice", laptop.expect("MSG").text());
            phone.send("SEND room=r :from my phone");
            phone.expect("ACK");
            assertEquals("from my phone", laptop.expect("MSG").text());
            assertEquals("from my phone", bob.expect("MSG").text());

            bob.send("SEND to=alice :dm");
            bob.expect("ACK");
            assertEquals("bob", phone.expect("MSG").field("with"));
            assertEquals("bob", laptop.expect("MSG").field("with"));
            phone.send("SEND to=bob :dm back");
            phone.expect("ACK");
            Frame copy = laptop.expect("MSG");
            assertEquals("bob", copy.field("with"));
            assertEquals("alice", copy.field("from"));
            assertEquals("alice", bob.expect("MSG").field("with"));

            phone.send("PART room=r");
            phone.expect("LEFT");
            laptop.send("QUIT");
            laptop.expect("BYE");
            Frame left = bob.expect("LEFT"); // only when the last connection of alice left
            assertEquals("alice", left.field("name"));
            assertEquals("quit", left.field("reason"));
        }
    }

    @Test
    void listenerSeesEverythingAndFilterRejectsOrRewrites() throws Exception {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        ServerListener recorder = new ServerListener() {
            @Override
            public void connected(ConnectionInfo c) {
                events.add("connected");
            }

            @Override
            public void registered(ConnectionInfo c) {
                events.add("registered " + c.name());
            }

            @Override
            public void joined(String room, String name) {
                events.add("joined " + room + " " + name);
            }

            @Override
            public void left(String room, String name, String reason) {
                events.add("left " + room + " " + name + " " + reason);
            }

            @Override
            public void messageStored(StoredMessage m) {
                events.add("stored " + m.conversation() + " " + m.seq() + " " + m.text());
                throw new IllegalStateException("a listener that throws must not break anything");
            }

            @Override
            public void disconnected(ConnectionInfo c, DisconnectReason reason) {
                events.add("disconnected " + c.name() + " " + reason);
            }
        };
        MessageFilter filter = m -> m.text().contains("spam") ? MessageFilter.Verdict.reject("no spam")
                : m.text().contains("darn") ? MessageFilter.Verdict.rewrite(m.text().replace("darn", "d**n"))
                : MessageFilter.Verdict.accept();
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .listener(recorder).messageFilter(filter).build().start()) {
            try (RawClient a = RawClient.hello(server.port(), "ann"); RawClient b = RawClient.hello(server.port(), "ben")) {
                a.send("JOIN room=r");
                a.expect("JOINED");
                b.send("JOIN room=r");
                b.expect("JOINED");
                a.expect("JOINED");
                a.send("SEND room=r ref=s :buy spam");
                Frame e = a.expect("ERROR");
                assertEquals("REJECTED", e.field("code"));
                assertEquals("no spam", e.text());
                a.send("SEND room=r :darn it");
                a.expect("ACK");
                assertEquals("d**n it", b.expect("MSG").text());
                a.send("SEND room=r :still fine");
                a.expect("ACK");
                b.expect("MSG");
                b.close();
                a.expect("LEFT");
            }
            List<String> expected = List.of("registered ann", "registered ben", "joined r ann", "joined r ben",
                    "stored #r 1 d**n it", "stored #r 2 still fine", "left r ben disconnect", "disconnected ben DISCONNECT");
            for (String want : expected) {
                String got;
                do {
                    got = events.poll(10, TimeUnit.SECONDS);
                    assertTrue(got != null, "missing event " + want);
                } while (!got.equals(want));
            }
        }
    }

    @Test
    void aSlowListenerNeverStallsTheServerAndDropsAreCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ServerListener stuck = new ServerListener() {
            @Override
            public void connected(ConnectionInfo c) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .listener(stuck).listenerQueueSize(2).build().start();
                RawClient a = RawClient.hello(server.port(), "a");
                RawClient b = RawClient.hello(server.port(), "b")) {
            a.send("JOIN room=r");
            a.expect("JOINED");
            b.send("JOIN room=r");
            b.expect("JOINED");
            a.expect("JOINED");
            for (int i = 0; i < 20; i++) {
                a.send("SEND room=r :m" + i);
                a.expect("ACK");
                assertEquals("m" + i, b.awaitVerb("MSG").text());
            }
            assertTrue(server.stats().listenerEventsDropped() > 0);
            release.countDown();
        }
    }

    @Test
    void kickAndPostFromTheServer() throws Exception {
        LinkedBlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .listener(new ServerListener() {
                    @Override
                    public void disconnected(ConnectionInfo c, DisconnectReason reason) {
                        reasons.add(reason);
                    }
                }).build().start();
                RawClient a = RawClient.hello(server.port(), "ann");
                RawClient b = RawClient.hello(server.port(), "ben")) {
            a.send("JOIN room=lobby");
            a.expect("JOINED");
            b.send("JOIN room=lobby");
            b.expect("JOINED");
            a.expect("JOINED");

            StoredMessage posted = server.post("Lobby", "system", "welcome, both");
            assertEquals(1, posted.seq());
            for (RawClient c : List.of(a, b)) {
                Frame m = c.expect("MSG");
                assertEquals("system", m.field("from"));
                assertEquals("1", m.field("seq"));
            }
            assertThrows(IllegalArgumentException.class, () -> server.post("lobby", "bad name", "x"));

            assertEquals(1, server.kick("BEN"));
            List<Frame> last = b.awaitClose();
            assertEquals("kicked", last.get(last.size() - 1).field("reason"));
            Frame left = a.expect("LEFT");
            assertEquals("ben", left.field("name"));
            assertEquals("kicked", left.field("reason"));
            assertEquals(DisconnectReason.KICKED, reasons.poll(10, TimeUnit.SECONDS));
            assertEquals(0, server.kick("nobody"));
            assertEquals(List.of("ann"), server.members("lobby"));

            ServerStats stats = server.stats();
            assertEquals(1, stats.connections());
            assertEquals(2, stats.connectionsTotal());
            assertEquals(1, stats.rooms());
            assertEquals(1, stats.disconnects(DisconnectReason.KICKED));
            assertTrue(stats.framesIn() >= 4 && stats.framesOut() >= 6, stats.toString());
            assertTrue(stats.bytesIn() > 0 && stats.bytesOut() > 0);
            assertEquals(1, stats.storeAppends());
            assertTrue(stats.storeAppendMaxNanos() >= stats.storeAppendAvgNanos());
        }
    }

    @Test
    void othersLearnOfAKickAtOnceEvenIfTheKickedPeerNeverCloses() throws Exception {
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .drainTimeout(java.time.Duration.ofSeconds(60)).build().start();
                RawClient a = RawClient.hello(server.port(), "ann");
                java.net.Socket mute = new java.net.Socket("127.0.0.1", server.port())) {
            a.send("JOIN room=r");
            a.expect("JOINED");
            mute.getOutputStream().write("HELLO proto=1 name=mute\nJOIN room=r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("mute", a.expect("JOINED").field("name"));
            assertEquals(1, server.kick("mute"));
            // The mute peer never reads nor closes; the 60 s drain must not delay the notice.
            Frame left = a.expect("LEFT");
            assertEquals("mute", left.field("name"));
            assertEquals("kicked", left.field("reason"));
            assertEquals(List.of("ann"), server.members("r"));
        }
    }

    @Test
    void filterMayNotUseClosingCodesAndAuthResultsAreExplicit() {
        assertThrows(IllegalArgumentException.class, () -> MessageFilter.Verdict.reject(ErrorCode.SERVER_FULL, "x"));
        Authenticator.Result r = Authenticator.Result.reject("no");
        assertFalse(r.accepted());
        assertNull(r.name());
        assertTrue(Authenticator.Result.identity("x").shared());
    }
}
