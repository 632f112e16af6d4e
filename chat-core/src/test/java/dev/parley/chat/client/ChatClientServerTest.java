package dev.parley.chat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against the real server, over TCP on port 0 and in memory. */
@Timeout(30)
class ChatClientServerTest {
    private final InMemoryMessageStore store = InMemoryMessageStore.create();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        store.close();
    }

    private ChatServer startServer(int port) {
        ChatServer server = ChatServer.builder().listen(TcpTransport.builder().host("127.0.0.1").port(port).build())
                .store(store).build().start();
        toClose.add(server);
        return server;
    }

    private ChatSession connect(int port, String name, ChatListener listener) {
        ChatSession s = ChatClient.builder().address("127.0.0.1", port).name(name).listener(listener)
                .reconnectDelay(Duration.ofMillis(5), Duration.ofMillis(100)).build().connect();
        toClose.add(s::closeNow);
        return s;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** Collects the room messages a listener receives. */
    static final class Inbox implements ChatListener {
        final BlockingQueue<ChatMessage> messages = new LinkedBlockingQueue<>();
        final RecordingListener events = new RecordingListener();

        @Override
        public void onMessage(ChatMessage m) {
            messages.add(m);
            events.onMessage(m);
        }

        @Override
        public void onDirectMessage(ChatMessage m) {
            messages.add(m);
            events.onDirectMessage(m);
        }

        @Override
        public void onJoined(String room, String name) {
            events.onJoined(room, name);
        }

        @Override
        public void onLeft(String room, String name, String reason) {
            events.onLeft(room, name, reason);
        }

        @Override
        public void onDisconnected(String reason) {
            events.onDisconnected(reason);
        }

        @Override
        public void onReconnected() {
            events.onReconnected();
        }

        ChatMessage next() throws InterruptedException {
            ChatMessage m = messages.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 10 s");
            }
            return m;
        }
    }

    @Test
    void twoClientsChatOverTcp() throws Exception {
        ChatServer server = startServer(0);
        Inbox souvikInbox = new Inbox();
        Inbox ritamInbox = new Inbox();
        ChatSession souvik = connect(server.port(), "Souvik", souvikInbox);
        ChatSession ritam = connect(server.port(), "Ritam", ritamInbox);

        assertEquals(new Joined("lobby", 0), get(souvik.join("Lobby")));
        get(ritam.join("lobby"));
        assertEquals("joined lobby Ritam", souvikInbox.events.nextStartingWith("joined"));

        Ack ack = get(souvik.send("lobby", "hello"));
        assertEquals(1, ack.seq());
        ChatMessage got = ritamInbox.next();
        assertEquals("lobby", got.room());
        assertEquals("Souvik", got.from());
        assertEquals("hello", got.text());
        assertEquals(ack.time(), got.time());

        get(ritam.send("lobby", "hi\nthere"));
        assertEquals("hi\nthere", souvikInbox.next().text());

        Ack dm = get(souvik.sendDirect("Ritam", "psst"));
        ChatMessage d = ritamInbox.next();
        assertTrue(d.isDirect());
        assertEquals("Souvik", d.with());
        assertEquals(dm.seq(), d.seq());

        assertEquals(List.of("Ritam", "Souvik"), get(ritam.who("lobby")));
        assertEquals(List.of(new RoomInfo("lobby", 2)), get(ritam.rooms()));
        List<ChatMessage> history = get(ritam.history("lobby", History.before(3).limit(50)));
        assertEquals(List.of("hello", "hi\nthere"), history.stream().map(ChatMessage::text).toList());
        assertEquals(List.of("psst"), get(ritam.directHistory("Souvik", History.latest())).stream().map(ChatMessage::text).toList());
        assertTrue(get(souvik.ping()).compareTo(Duration.ZERO) >= 0);

        ExecutionException e = assertThrows(ExecutionException.class, () -> get(souvik.send("kitchen", "anyone?")));
        assertEquals(ErrorCode.NOT_IN_ROOM, assertInstanceOf(ProtocolException.class, e.getCause()).code());
        e = assertThrows(ExecutionException.class, () -> get(souvik.sendDirect("nobody", "hello?")));
        assertEquals(ErrorCode.NO_SUCH_USER, assertInstanceOf(ProtocolException.class, e.getCause()).code());

        get(ritam.part("lobby"));
        assertEquals("left lobby Ritam part", souvikInbox.events.nextStartingWith("left"));
        ritam.close();
        assertEquals(ChatSession.State.CLOSED, ritam.state());
    }

    @Test
    void aTakenNameIsRefusedWithNameTaken() throws Exception {
        ChatServer server = startServer(0);
        connect(server.port(), "Souvik", new Inbox());
        ProtocolException e = assertThrows(ProtocolException.class, () -> connect(server.port(), "SOUVIK", new Inbox()));
        assertEquals(ErrorCode.NAME_TAKEN, e.code());
    }

    @Test
    void anEmbeddedClientUsesTheInMemoryTransport() throws Exception {
        InMemoryTransport memory = InMemoryTransport.create();
        ChatServer server = ChatServer.builder().listen(memory).store(store).build().start();
        toClose.add(server);
        Inbox inbox = new Inbox();
        ChatSession bot = ChatClient.builder().connector(memory).name("bot").listener(inbox).build().connect();
        toClose.add(bot::closeNow);
        get(bot.join("lobby"));
        server.post("lobby", "system", "welcome");
        assertEquals("welcome", inbox.next().text());
        bot.close();
    }

    @Test
    void afterAServerRestartTheClientRejoinsAndSeesEveryMissedMessageOnce() throws Exception {
        ChatServer server = startServer(0);
        int port = server.port();
        Inbox inbox = new Inbox();
        ChatSession souvik = connect(port, "Souvik", inbox);
        get(souvik.join("lobby"));
        server.post("lobby", "system", "one");
        assertEquals(1, inbox.next().seq());

        server.close();
        assertEquals("disconnected shutdown", inbox.events.nextStartingWith("disconnected"));
        // While the server is down nothing can be said; once it is back, others talk before Souvik returns.
        ChatServer again = ChatServer.builder().listen(TcpTransport.builder().host("127.0.0.1").port(port).build())
                .store(store).build();
        again.start();
        toClose.add(again);
        again.post("lobby", "system", "two");
        again.post("lobby", "system", "three");
        inbox.events.nextStartingWith("reconnected");
        again.post("lobby", "system", "four");
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seqs.add(inbox.next().seq());
        }
        assertEquals(List.of(2L, 3L, 4L), seqs);
        Ack ack = get(souvik.send("lobby", "back"));
        assertEquals(5, ack.seq());
        assertEquals(java.util.OptionalLong.of(5), souvik.lastSeq("lobby"));
        assertTrue(inbox.messages.isEmpty(), "no duplicates: " + inbox.messages);
    }

    @Test
    void aSendCutOffBeforeItsAckIsResentAndDeliveredOnce() throws Exception {
        ChatServer server = startServer(0);
        try (CuttingProxy proxy = new CuttingProxy(server.port())) {
            Inbox souvikInbox = new Inbox();
            Inbox ritamInbox = new Inbox();
            ChatSession souvik = connect(proxy.port(), "Souvik", souvikInbox);
            ChatSession ritam = connect(server.port(), "Ritam", ritamInbox);
            get(souvik.join("lobby"));
            get(ritam.join("lobby"));

            proxy.cutAfterNextSend();
            CompletableFuture<Ack> sent = souvik.send("lobby", "only once, please");
            assertEquals("disconnected disconnect", souvikInbox.events.nextStartingWith("disconnected"));
            Ack ack = get(sent);
            ChatMessage got = ritamInbox.next();
            assertEquals("only once, please", got.text());
            assertEquals(ack.seq(), got.seq());

            get(souvik.send("lobby", "marker"));
            assertEquals("marker", ritamInbox.next().text());
            assertTrue(ritamInbox.messages.isEmpty(), "delivered once: " + ritamInbox.messages);
        }
    }

    @Test
    void directMessagesLostInFlightAreCaughtUpAfterTheReconnectInOrderAndOnce() throws Exception {
        ChatServer server = ChatServer.builder().listen(TcpTransport.builder().host("127.0.0.1").port(0).build())
                .store(store).rateLimit(10_000, 10_000).build().start();
        toClose.add(server);
        try (CuttingProxy proxy = new CuttingProxy(server.port())) {
            Inbox souvikInbox = new Inbox();
            ChatSession souvik = connect(proxy.port(), "Souvik", souvikInbox);
            ChatSession ritam = connect(server.port(), "Ritam", new Inbox());
            get(ritam.sendDirect("Souvik", "one"));
            assertEquals("one", souvikInbox.next().text());
            Ack own = get(souvik.sendDirect("Ritam", "two"));

            // Everything the server sends Souvik from now on is lost on the way, then his connection drops.
            // More than one catch-up page (500) is missed; every one was acknowledged to Ritam.
            CountDownLatch cut = proxy.swallowRepliesThenCutAfter("the last lost one");
            List<Long> lost = new ArrayList<>();
            for (int i = 1; i <= 520; i++) {
                lost.add(get(ritam.sendDirect("Souvik", "lost " + i)).seq());
            }
            lost.add(get(ritam.sendDirect("Souvik", "the last lost one")).seq());
            assertTrue(cut.await(10, TimeUnit.SECONDS), "the proxy saw the last message");
            assertEquals("disconnected disconnect", souvikInbox.events.nextStartingWith("disconnected"));
            souvikInbox.events.nextStartingWith("reconnected");
            // Sent while Souvik catches up: it comes after the missed ones, not before, and once.
            CompletableFuture<Ack> during = ritam.sendDirect("Souvik", "after the drop");

            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < lost.size(); i++) {
                ChatMessage m = souvikInbox.next();
                assertEquals("Ritam", m.with());
                assertEquals("Ritam", m.from());
                assertEquals(i < 520 ? "lost " + (i + 1) : "the last lost one", m.text());
                seqs.add(m.seq());
            }
            assertEquals(lost, seqs);
            assertTrue(lost.get(0) > own.seq(), "the session's own message is not delivered back to it");
            ChatMessage next = souvikInbox.next();
            assertEquals("after the drop", next.text());
            assertEquals(get(during).seq(), next.seq());
            get(souvik.ping());
            assertTrue(souvikInbox.messages.isEmpty(), "delivered once: " + souvikInbox.messages);
        }
    }

    @Test
    void aConversationTheSessionStartedIsCaughtUpToo() throws Exception {
        ChatServer server = startServer(0);
        try (CuttingProxy proxy = new CuttingProxy(server.port())) {
            Inbox souvikInbox = new Inbox();
            ChatSession souvik = connect(proxy.port(), "Souvik", souvikInbox);
            Inbox ritamInbox = new Inbox();
            ChatSession ritam = connect(server.port(), "Ritam", ritamInbox);
            get(souvik.sendDirect("Ritam", "are you there?"));
            assertEquals("are you there?", ritamInbox.next().text());

            CountDownLatch cut = proxy.swallowRepliesThenCutAfter("yes, here");
            Ack reply = get(ritam.sendDirect("Souvik", "yes, here"));
            assertTrue(cut.await(10, TimeUnit.SECONDS), "the proxy saw the reply");
            ChatMessage caught = souvikInbox.next();
            assertEquals("yes, here", caught.text());
            assertEquals(reply.seq(), caught.seq());
            assertEquals("Ritam", caught.with());
            get(souvik.ping());
            assertTrue(souvikInbox.messages.isEmpty(), "the session's own message is not delivered: "
                    + souvikInbox.messages);
        }
    }
    @Test
    void aSlowListenerHoldsBackTheSocketAndLosesNothing() throws Exception {
        CountDownLatch slowConsumer = new CountDownLatch(1);
        ChatServer server = ChatServer.builder().listen(TcpTransport.builder().host("127.0.0.1").port(0).build())
                .store(store).outboundQueueBytes(64 << 20).writeTimeout(Duration.ofSeconds(1)).maxReplay(20_000)
                .listener(new dev.parley.chat.server.ServerListener() {
                    @Override
                    public void disconnected(dev.parley.chat.server.ConnectionInfo c,
                            dev.parley.chat.server.DisconnectReason reason) {
                        if (reason == dev.parley.chat.server.DisconnectReason.SLOW_CONSUMER) {
                            slowConsumer.countDown();
                        }
                    }
                }).build().start();
        toClose.add(server);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> seqs = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> gaps = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch reconnected = new CountDownLatch(1);
        java.util.concurrent.Semaphore received = new java.util.concurrent.Semaphore(0);
        ChatSession slow = ChatClient.builder().address("127.0.0.1", server.port()).name("slow")
                .maxQueuedEvents(100).reconnectDelay(Duration.ofMillis(5), Duration.ofMillis(100))
                .listener(new ChatListener() {
                    @Override
                    public void onMessage(ChatMessage m) {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        seqs.add(m.seq());
                        received.release();
                    }

                    @Override
                    public void onGap(String room, long from, long to, String reason) {
                        gaps.add(from + ".." + to + " " + reason);
                    }

                    @Override
                    public void onReconnected() {
                        reconnected.countDown();
                    }
                }).build().connect();
        toClose.add(slow::closeNow);
        get(slow.join("busy"));

        // The listener is stuck on the first message. 48 MB follow: more than the socket buffers hold
        // (tcp_rmem allows up to 32 MiB), less than the server's queue. A client that read on
        // regardless would take it all into its heap and the server's writes would never stall; one
        // that stops reading stalls them, and the server closes it after the 1 s write timeout.
        String text = "x".repeat(4000);
        int posted = 0;
        for (; posted < 12_000; posted++) {
            server.post("busy", "feed", text + posted);
        }
        assertTrue(slowConsumer.await(15, TimeUnit.SECONDS), "the server's writes to the stalled client stalled");
        for (int i = 0; i < 10; i++) {
            server.post("busy", "feed", "after the close " + i);
            posted++;
        }
        release.countDown();
        assertTrue(reconnected.await(20, TimeUnit.SECONDS), "the session came back");
        assertTrue(received.tryAcquire(posted, 20, TimeUnit.SECONDS), () -> seqs.size() + " of the messages arrived");
        long last = 0;
        List<Long> got;
        synchronized (seqs) {
            got = new ArrayList<>(seqs);
        }
        assertEquals(posted, got.size(), "every posted message reached the listener once");
        for (long seq : got) {
            assertEquals(++last, seq, "in seq order, without gap or repeat");
        }
        assertEquals(List.of(), gaps);
    }
}
