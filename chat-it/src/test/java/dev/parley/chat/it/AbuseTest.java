package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.OperatingSystemMXBean;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Abuse over real sockets: floods, clients that never read, slowloris, half-open connections,
 * connection storms and caps, TLS garbage. Each case checks the disconnect reason and that nobody
 * else lost anything. No timing thresholds: "others unaffected" means they got every message and every
 * reply, whatever the machine's speed.
 */
@Timeout(120)
class AbuseTest {

    private static List<StoredMessage> stored(TestServer s, String room) {
        return s.store.readAfter(Conversations.room(room), 0, 100_000);
    }

    @Test
    void aFlooderIsRateLimitedThenDisconnectedAndOthersLoseNothing() throws Exception {
        try (TestServer s = TestServer.start(b -> b.rateLimit(50, 50).floodLimit(100, Duration.ofSeconds(10)))) {
            RawClient alice = s.user("alice");
            RawClient bob = s.user("bob");
            RawClient flooder = s.user("flooder");
            alice.join("lobby");
            bob.join("lobby");
            flooder.join("lobby");
            // The flood: 5000 SENDs pushed as fast as the socket takes them, on its own thread.
            CompletableFuture<Integer> flood = CompletableFuture.supplyAsync(() -> {
                byte[] line = "SEND room=lobby :flood flood flood flood\n".getBytes(StandardCharsets.UTF_8);
                byte[] batch = new byte[line.length * 100];
                for (int i = 0; i < 100; i++) {
                    System.arraycopy(line, 0, batch, i * line.length, line.length);
                }
                int sent = 0;
                while (sent < 5000 && flooder.trySendBytes(batch)) {
                    sent += 100;
                }
                return sent;
            });
            // Meanwhile bob keeps doing request/response round trips (within his own burst of 50
            // frames), each one must complete.
            List<String> bobSeqs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Frame ack = bob.call("SEND room=lobby id=bob-" + i + " :bob " + i);
                assertEquals("ACK", ack.verb(), "bob's SEND " + i + " -> " + ack);
                bobSeqs.add(ack.field("seq"));
                assertEquals("PONG", bob.call("PING").verb());
            }
            flood.get(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS);
            flooder.assertClosed();
            assertEquals(DisconnectReason.FLOOD, s.events.awaitDisconnectOf("flooder").reason());
            List<Frame> got = flooder.received();
            assertTrue(got.stream().anyMatch(f -> "RATE_LIMITED".equals(f.field("code"))), "RATE_LIMITED first");
            assertTrue(got.stream().anyMatch(f -> f.verb().equals("BYE") && "flood".equals(f.field("reason"))),
                    "BYE reason=flood");
            assertTrue(s.server.stats().rateLimited() >= 100, "refused frames counted");
            // Everything stored was delivered to alice, in seq order, bob's 40 among it.
            List<StoredMessage> history = stored(s, "lobby");
            List<String> bobsStored = history.stream().filter(m -> m.sender().equals("bob"))
                    .map(m -> Long.toString(m.seq())).toList();
            assertEquals(bobSeqs, bobsStored);
            assertTrue(history.size() < 5000, "the flood was limited: " + history.size() + " stored");
            for (StoredMessage m : history) {
                Frame msg = alice.next(f -> f.verb().equals("MSG"), "MSG seq " + m.seq());
                assertEquals(Long.toString(m.seq()), msg.field("seq"));
                assertEquals(m.text(), msg.text());
            }
            assertEquals(1, alice.received().stream()
                    .filter(f -> f.verb().equals("LEFT") && "flooder".equals(f.field("name"))).count());
        }
    }

    @Test
    void aClientThatNeverReadsIsClosedAsSlowConsumerAndOthersGetEverything() {
        try (TestServer s = TestServer.start(b -> b.rateLimit(100_000, 100_000).outboundQueueBytes(64 * 1024)
                .writeTimeout(Duration.ofSeconds(2)))) {
            RawClient alice = s.user("alice");
            RawClient bob = s.user("bob");
            alice.join("busy");
            bob.join("busy");
            RawClient sloth = RawClient.connect(s.port(), false, "sloth");
            sloth.send("HELLO proto=1 name=sloth");
            sloth.send("JOIN room=busy");
            // Bob must see sloth arrive before the traffic starts, or sloth may miss it all.
            bob.next(f -> f.verb().equals("JOINED") && "sloth".equals(f.field("name")), "sloth's JOINED");
            String text = "z".repeat(2000);
            int n = 3000; // 6 MB: far more than socket buffers and the 64 KiB queue
            for (int i = 0; i < n; i++) {
                alice.send("SEND room=busy ref=a" + i + " :" + i + " " + text);
                if (i % 100 == 99) {
                    // keep alice's own replies flowing so she never looks slow herself
                    alice.reply("a" + i);
                }
            }
            for (int i = 0; i < n; i++) {
                if (i % 100 != 99) {
                    assertEquals("ACK", alice.reply("a" + i).verb());
                }
            }
            assertEquals(DisconnectReason.SLOW_CONSUMER, s.events.awaitDisconnectOf("sloth").reason());
            assertTrue(s.server.stats().slowConsumerDisconnects() >= 1);
            // Bob got every message in order; the store has them all (sloth missing them changes nothing).
            for (int i = 0; i < n; i++) {
                Frame msg = bob.next("MSG");
                assertTrue(msg.text().startsWith(i + " "), "bob's MSG " + i + ": " + msg.field("seq"));
            }
            assertEquals(n, stored(s, "busy").size());
            Frame left = bob.next(f -> f.verb().equals("LEFT") && "sloth".equals(f.field("name")), "sloth's LEFT");
            assertEquals("slow-consumer", left.field("reason"));
            sloth.close();
        }
    }

    @Test
    void slowlorisIsClosedAtTheHandshakeTimeoutEvenWhileTrickling() {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (TestServer s = TestServer.start(b -> b.handshakeTimeout(Duration.ofSeconds(1)))) {
            RawClient silent = s.connect("silent");
            RawClient partial = s.connect("partial");
            partial.sendBytes("HELLO proto=1 na".getBytes(StandardCharsets.US_ASCII));
            RawClient trickler = s.connect("trickler");
            byte[] endless = ("HELLO proto=1 name=" + "a".repeat(400)).getBytes(StandardCharsets.US_ASCII);
            AtomicInteger pos = new AtomicInteger();
            // One byte every 50 ms: 400+ bytes would take over 20 s; the server must not wait for them.
            trickle.scheduleAtFixedRate(() -> {
                int i = pos.getAndIncrement();
                if (i < endless.length) {
                    trickler.trySendBytes(new byte[] {endless[i]});
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            for (RawClient c : List.of(silent, partial, trickler)) {
                c.assertClosed();
                List<Frame> got = c.received();
                assertTrue(got.stream().anyMatch(f -> "TIMEOUT".equals(f.field("code"))), c + " " + got);
                assertTrue(got.stream().anyMatch(f -> f.verb().equals("BYE") && "timeout".equals(f.field("reason"))));
            }
            assertTrue(pos.get() < endless.length, "closed while still trickling");
            assertEquals(3, s.events.awaitDisconnects(3, d -> d.reason() == DisconnectReason.TIMEOUT).size());
            assertEquals(0, s.events.registered());
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void anIdleClientThatIgnoresPingIsTimedOutWithExactlyOneLeft() {
        try (TestServer s = TestServer.start(b -> b.pingInterval(Duration.ofMillis(500))
                .pingTimeout(Duration.ofMillis(500)))) {
            RawClient bob = s.user("bob");
            RawClient ghost = s.user("ghost"); // half-open: it reads nothing useful and never answers
            bob.join("lobby");
            ghost.join("lobby");
            bob.next(f -> f.verb().equals("JOINED") && "ghost".equals(f.field("name")), "ghost's JOINED");
            // Bob answers every PING the server sends him; ghost answers none.
            AtomicInteger answered = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread answering = Thread.ofVirtual().start(() -> {
                while (!stop.get() && !bob.isClosed()) {
                    Frame p = bob.poll(f -> f.verb().equals("PING") && !f.has("ref"), Duration.ofMillis(200));
                    if (p != null) {
                        bob.send("PONG token=" + p.field("token"));
                        answered.incrementAndGet();
                    }
                }
            });
            Frame ping = ghost.next("PING");
            assertTrue(ping.has("token"), "server PING carries a token: " + ping);
            ghost.assertClosed();
            assertTrue(ghost.received().stream().anyMatch(f -> "TIMEOUT".equals(f.field("code"))));
            assertEquals(DisconnectReason.TIMEOUT, s.events.awaitDisconnectOf("ghost").reason());
            Frame left = bob.next(f -> f.verb().equals("LEFT") && "ghost".equals(f.field("name")), "ghost's LEFT");
            assertEquals("timeout", left.field("reason"));
            ghost.close(); // the socket finally dies too: no second LEFT
            // Bob, who answers PINGs, is still there after several ping intervals; a round trip proves it.
            int before = answered.get();
            RawClient.awaitTrue("bob answered 3 more server PINGs", () -> answered.get() >= before + 3);
            assertEquals("PONG", bob.call("PING").verb());
            assertTrue(s.events.disconnects().stream().noneMatch(d -> "bob".equals(d.connection().name())));
            assertEquals(1, s.events.lefts().stream().filter(l -> l.name().equals("ghost")).count());
            assertEquals(1, bob.received().stream()
                    .filter(f -> f.verb().equals("LEFT") && "ghost".equals(f.field("name"))).count());
            stop.set(true);
        }
    }

    @Test
    void aConnectionStormFromOneAddressIsCappedWithServerFull() throws Exception {
        int cap = 20;
        try (TestServer s = TestServer.start(b -> b.maxConnectionsPerAddress(cap))) {
            RawClient alice = s.user("alice");
            alice.join("lobby");
            // 200 connections at once from 127.0.0.1, each trying to register.
            List<CompletableFuture<RawClient>> storm = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                storm.add(CompletableFuture.supplyAsync(() -> {
                    RawClient c = RawClient.connect(s.port(), "storm" + n);
                    c.trySendBytes(("HELLO proto=1 name=storm" + n + "\n").getBytes(StandardCharsets.US_ASCII));
                    return c;
                }, Executors.newVirtualThreadPerTaskExecutor()));
            }
            int welcomed = 0;
            int full = 0;
            List<RawClient> all = new ArrayList<>();
            for (CompletableFuture<RawClient> f : storm) {
                RawClient c = f.get();
                all.add(c);
                Frame first = c.next(fr -> fr.verb().equals("WELCOME") || fr.verb().equals("ERROR"), "first answer");
                if (first.verb().equals("WELCOME")) {
                    welcomed++;
                } else {
                    assertEquals("SERVER_FULL", first.field("code"));
                    c.assertClosed();
                    assertTrue(c.received().stream().anyMatch(fr -> fr.verb().equals("BYE")
                            && "server-full".equals(fr.field("reason"))));
                    full++;
                }
            }
            assertEquals(cap - 1, welcomed, "alice holds one of the " + cap);
            assertEquals(200 - (cap - 1), full);
            assertEquals(full, s.events.awaitDisconnects(full, d -> d.reason() == DisconnectReason.SERVER_FULL).size());
            // Alice was not disturbed, and a freed slot can be used again.
            assertEquals("ACK", alice.call("SEND room=lobby :still fine").verb());
            RawClient leaving = all.stream().filter(c -> !c.isClosed()).findFirst().orElseThrow();
            leaving.close();
            s.events.awaitDisconnects(1, d -> d.reason() == DisconnectReason.DISCONNECT);
            s.user("latecomer");
            all.forEach(RawClient::close);
        }
    }

    /**
     * Idle connections up to the connection cap, then SERVER_FULL. Client and server sockets are in
     * this JVM: 2 file descriptors per connection.
     */
    @Test
    @Timeout(180)
    void thousandsOfIdleConnectionsUpToTheCapThenServerFull() throws Exception {
        int cap = Integer.getInteger("parley.idle.connections", 2000);
        try (TestServer s = TestServer.start(b -> b.maxConnections(cap).maxConnectionsPerAddress(cap + 10)
                .handshakeTimeout(Duration.ofMinutes(5)))) {
            List<Socket> idle = new ArrayList<>(cap);
            try {
                for (int i = 0; i < cap; i++) {
                    Socket sock = new Socket();
                    sock.connect(new InetSocketAddress("127.0.0.1", s.port()), 10_000);
                    idle.add(sock);
                }
                RawClient.awaitTrue("server holds " + cap + " connections",
                        () -> s.server.stats().connections() == cap);
                // One more is refused, with a reason, and closed.
                RawClient extra = s.connect("extra");
                Frame err = extra.next("ERROR");
                assertEquals("SERVER_FULL", err.field("code"));
                extra.assertClosed();
                // The refused one is counted until the server has finished closing it.
                RawClient.awaitTrue("back to " + cap + " connections", () -> s.server.stats().connections() == cap);
                // The idle ones still work: the first and the last register and talk.
                for (Socket sock : List.of(idle.get(0), idle.get(cap - 1))) {
                    sock.getOutputStream().write("HELLO proto=1 name=idle\n".getBytes(StandardCharsets.US_ASCII));
                    sock.getOutputStream().write("QUIT\n".getBytes(StandardCharsets.US_ASCII));
                    String answer = readAll(sock.getInputStream());
                    assertTrue(answer.startsWith("WELCOME"), answer);
                }
            } finally {
                for (Socket sock : idle) {
                    sock.close();
                }
            }
            RawClient.awaitTrue("all connections gone", () -> s.server.stats().connections() == 0);
            s.user("after"); // and the server serves again
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * The TLS port under garbage and stalled handshakes: every such connection is closed within the
     * handshake timeout, the server's process CPU stays low while they are held, and a real TLS client
     * is served afterwards.
     */
    @Test
    void garbageAndStalledTlsHandshakesAreClosedWithoutSpinning() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        javax.net.ssl.SSLContext tls = Tls.server();
        try (TestServer s = TestServer.start(InMemoryMessageStore.create(), b -> b
                .listen(TcpTransport.builder().port(0).tls(tls).handshakeTimeout(timeout).build())
                .handshakeTimeout(timeout))) {
            int tlsPort = tlsPort(s.server);
            // Warm up the TLS stack once so JIT compilation does not count as "spinning".
            RawClient warm = Tls.connect(tlsPort, "warm");
            warm.hello("warm");
            warm.close();
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            List<RawClient> attackers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                attackers.add(RawClient.connect(tlsPort, "stalled" + i)); // connects, never says anything
            }
            for (int i = 0; i < 30; i++) {
                RawClient c = RawClient.connect(tlsPort, "partial" + i);
                c.sendBytes(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}); // a ClientHello header, then nothing
                attackers.add(c);
            }
            for (int i = 0; i < 20; i++) {
                RawClient c = RawClient.connect(tlsPort, "garbage" + i);
                c.trySendBytes("HELLO proto=1 name=plaintext\n".getBytes(StandardCharsets.US_ASCII));
                c.trySendBytes(new byte[] {(byte) 0xff, 0x00, 0x13, 0x37, (byte) 0x80, 0x0a});
                attackers.add(c);
            }
            // Measure only while the 80 are held: the attack's own connecting is client work in this JVM.
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            for (RawClient c : attackers) {
                assertTrue(c.awaitClosed(timeout.multipliedBy(5)), c + " still open after 5x the handshake timeout");
            }
            long wall = System.nanoTime() - wall0;
            long cpu = os.getProcessCpuTime() - cpu0;
            // A spinning handshake burns a core for the whole window; idle waiting costs next to nothing.
            assertTrue(cpu < wall / 2, "process CPU " + cpu / 1_000_000 + " ms over " + wall / 1_000_000
                    + " ms wall while 80 handshakes were held");
            for (RawClient c : attackers) {
                assertFalse(c.received().stream().anyMatch(f -> f.verb().equals("WELCOME")), "no plaintext WELCOME");
            }
            RawClient good = Tls.connect(tlsPort, "good");
            good.hello("good");
            assertEquals("PONG", good.call("PING").verb());
        }
    }

    private static int tlsPort(ChatServer server) {
        return server.addresses().stream().map(a -> ((InetSocketAddress) a).getPort())
                .filter(p -> p != server.port()).findFirst().orElseThrow();
    }
}
