package dev.parley.chat.it;

import dev.parley.chat.testing.FlakyStore;
import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults: peers that vanish mid-frame, a store that throws or hangs, shutdown with full queues. */
@Timeout(90)
class FaultTest {

    private static List<StoredMessage> stored(TestServer s, String room) {
        return s.store.readAfter(Conversations.room(room), 0, 100_000);
    }

    private static long lefts(RawClient observer, String name) {
        return observer.received().stream().filter(f -> f.verb().equals("LEFT") && name.equals(f.field("name")))
                .count();
    }

    @Test
    void anAbruptDisconnectMidFrameStoresNothingAndLeavesExactlyOnce() {
        try (TestServer s = TestServer.start()) {
            RawClient bob = s.user("bob");
            bob.join("one");
            bob.join("two");
            int round = 0;
            for (byte[] half : List.of(
                    "SEND room=one :half a mess".getBytes(StandardCharsets.UTF_8),
                    "SEND room=two :cut inside \u20ac".getBytes(StandardCharsets.UTF_8),
                    "SEND room=one id=x1 :almost\r".getBytes(StandardCharsets.UTF_8),
                    "SEN".getBytes(StandardCharsets.UTF_8))) {
                String name = "victim" + round;
                RawClient victim = s.user(name);
                victim.join("one");
                victim.join("two");
                bob.next(f -> f.verb().equals("JOINED") && name.equals(f.field("name")) && "two".equals(f.field("room")),
                        name + " JOINED two");
                // Cut a multi-byte character in half for the second case.
                byte[] bytes = round == 1 ? java.util.Arrays.copyOf(half, half.length - 1) : half;
                victim.sendBytes(bytes);
                if (round % 2 == 0) {
                    victim.reset(); // RST
                } else {
                    victim.close(); // FIN
                }
                assertEquals(DisconnectReason.DISCONNECT, s.events.awaitDisconnectOf(name).reason());
                bob.next(f -> f.verb().equals("LEFT") && name.equals(f.field("name")) && "one".equals(f.field("room")),
                        name + " LEFT one");
                bob.next(f -> f.verb().equals("LEFT") && name.equals(f.field("name")) && "two".equals(f.field("room")),
                        name + " LEFT two");
                round++;
            }
            // A round trip after the last disconnect: anything the server would still send is now in.
            assertEquals("PONG", bob.call("PING").verb());
            for (int i = 0; i < round; i++) {
                String name = "victim" + i;
                assertEquals(2, lefts(bob, name), "one LEFT per room for " + name);
                assertEquals("disconnect", bob.received().stream()
                        .filter(f -> f.verb().equals("LEFT") && name.equals(f.field("name")))
                        .findFirst().orElseThrow().field("reason"));
                assertEquals(1, s.events.disconnects().stream().filter(d -> name.equals(d.connection().name())).count());
                assertEquals(2, s.events.lefts().stream().filter(l -> l.name().equals(name)).count());
            }
            assertEquals(List.of(), stored(s, "one"), "nothing half-stored");
            assertEquals(List.of(), stored(s, "two"), "nothing half-stored");
            assertNull(bob.poll(f -> f.verb().equals("MSG"), Duration.ZERO));
        }
    }

    @Test
    void aFailingStoreAnswersStoreUnavailableDeliversNothingAndRecovers() {
        FlakyStore store = new FlakyStore(InMemoryMessageStore.create());
        try (TestServer s = TestServer.start(store, b -> b)) {
            RawClient alice = s.user("alice");
            RawClient bob = s.user("bob");
            alice.join("lobby");
            bob.join("lobby");
            store.mode(FlakyStore.Mode.FAIL);
            for (int i = 0; i < 5; i++) {
                Frame err = alice.call("SEND room=lobby id=m" + i + " :lost? " + i);
                assertEquals("ERROR", err.verb(), err.toString());
                assertEquals("STORE_UNAVAILABLE", err.field("code"));
            }
            assertEquals("STORE_UNAVAILABLE", alice.call("SEND to=bob id=d1 :direct").field("code"));
            Frame historyErr = bob.call("HISTORY room=lobby");
            assertEquals("STORE_UNAVAILABLE", historyErr.field("code"), historyErr.toString());
            // The server stays up and answers what does not need the store.
            assertEquals("PONG", alice.call("PING").verb());
            RawClient carol = s.user("carol");
            assertEquals("PONG", carol.call("PING").verb());
            assertTrue(store.failures() >= 6);
            // Recovery: the same ids are resent and stored once each, seqs from 1, delivered once.
            store.mode(FlakyStore.Mode.OK);
            for (int i = 0; i < 5; i++) {
                Frame ack = alice.call("SEND room=lobby id=m" + i + " :lost? " + i);
                assertEquals("ACK", ack.verb(), ack.toString());
                assertEquals(Integer.toString(i + 1), ack.field("seq"));
                Frame msg = bob.next("MSG");
                assertEquals(ack.field("seq"), msg.field("seq"), "bob never got anything that was not stored");
                assertEquals("lost? " + i, msg.text());
            }
            assertEquals(5, stored(s, "lobby").size());
            assertEquals("ACK", alice.call("SEND room=lobby id=m0 :lost? 0").verb(), "idempotent resend");
            assertEquals(5, stored(s, "lobby").size());
            assertEquals("PONG", bob.call("PING").verb());
            assertEquals(5, bob.received().stream().filter(f -> f.verb().equals("MSG")).count());
        }
    }

    @Test
    void aHangingStoreHoldsOnlyTheWaitingSenderAndNothingIsAcknowledgedEarly() throws Exception {
        FlakyStore store = new FlakyStore(InMemoryMessageStore.create());
        try (TestServer s = TestServer.start(store, b -> b)) {
            RawClient alice = s.user("alice");
            RawClient bob = s.user("bob");
            RawClient carol = s.user("carol");
            alice.join("lobby");
            bob.join("lobby");
            carol.join("other");
            store.hangMarkedAppends();
            String ref = alice.ref();
            alice.send("SEND room=lobby id=h1 ref=" + ref + " :" + FlakyStore.HANG_MARKER + " me");
            RawClient.awaitTrue("alice's append is inside the store", () -> store.hanging() == 1);
            // While it hangs: no ACK for alice, no MSG for bob; other connections are served.
            assertEquals("PONG", bob.call("PING").verb());
            Frame carolAck = carol.call("SEND room=other :not stuck");
            assertEquals("ACK", carolAck.verb());
            List<Frame> page = bob.callAll("HISTORY room=lobby");
            assertEquals("0", page.get(page.size() - 1).field("count"));
            assertNull(alice.poll(f -> ref.equals(f.field("ref")), Duration.ZERO), "no ACK before the store returned");
            assertNull(bob.poll(f -> f.verb().equals("MSG"), Duration.ZERO), "no MSG before the store returned");
            store.release();
            Frame ack = alice.reply(ref);
            assertEquals("ACK", ack.verb());
            assertEquals("1", ack.field("seq"));
            assertEquals(FlakyStore.HANG_MARKER + " me", bob.next("MSG").text());
            assertEquals(1, stored(s, "lobby").size());
            // A hang that ends in failure: STORE_UNAVAILABLE, nothing stored, nothing delivered.
            store.hangMarkedAppends();
            String ref2 = alice.ref();
            alice.send("SEND room=lobby id=h2 ref=" + ref2 + " :" + FlakyStore.HANG_MARKER + " again");
            RawClient.awaitTrue("second append is inside the store", () -> store.hanging() == 1);
            store.mode(FlakyStore.Mode.FAIL);
            store.release();
            assertEquals("STORE_UNAVAILABLE", alice.reply(ref2).field("code"));
            store.mode(FlakyStore.Mode.OK);
            assertEquals("PONG", bob.call("PING").verb());
            assertEquals(1, bob.received().stream().filter(f -> f.verb().equals("MSG")).count());
            assertEquals(1, stored(s, "lobby").size());
        } finally {
            store.release();
        }
    }

    @Test
    void gracefulShutdownDrainsFullQueuesAndLosesNothingAcknowledged() throws Exception {
        TestServer s = TestServer.start(b -> b.rateLimit(100_000, 100_000).drainTimeout(Duration.ofSeconds(2))
                .outboundQueueBytes(8 << 20).writeTimeout(Duration.ofSeconds(30)));
        RawClient alice = s.user("alice");
        RawClient bob = s.user("bob");
        alice.join("lobby");
        bob.join("lobby");
        RawClient sloth = RawClient.connect(s.port(), false, "sloth");
        sloth.send("HELLO proto=1 name=sloth");
        sloth.send("JOIN room=lobby");
        bob.next(f -> f.verb().equals("JOINED") && "sloth".equals(f.field("name")), "sloth's JOINED");
        String text = "q".repeat(1000);
        int n = 2000;
        for (int i = 0; i < n; i++) {
            alice.send("SEND room=lobby ref=s" + i + " :" + i + " " + text);
        }
        int acked = 0;
        for (int i = 0; i < n; i++) {
            if (alice.reply("s" + i).verb().equals("ACK")) {
                acked++;
            }
        }
        assertEquals(n, acked);
        // Sloth's queue is full of megabytes it never reads; close anyway, within the drain timeout.
        CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
        closing.get(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS);
        // Bob reads everything that was queued for him, then SHUTTING_DOWN and BYE.
        for (int i = 0; i < n; i++) {
            Frame msg = bob.next("MSG");
            assertTrue(msg.text().startsWith(i + " "), "MSG " + i);
        }
        assertEquals("SHUTTING_DOWN", bob.next("ERROR").field("code"));
        assertEquals("shutdown", bob.next("BYE").field("reason"));
        bob.assertClosed();
        alice.assertClosed();
        assertEquals(n, stored(s, "lobby").size(), "every acknowledged message is stored");
        s.events.awaitDisconnects(3, d -> true);
        assertTrue(s.events.disconnects().stream().filter(d -> "bob".equals(d.connection().name()))
                .allMatch(d -> d.reason() == DisconnectReason.SHUTDOWN));
        sloth.close();
        // After close the port no longer serves.
        assertTrue(!s.server.isRunning());
    }

    /**
     * A server clock that jumps back an hour at every reading (an NTP step, a VM restored from a
     * snapshot): the times shown go backwards, the order never does. Live delivery, HISTORY and a
     * JOIN replay all follow seq.
     */
    @Test
    void aClockGoingBackwardsChangesTheTimesButNeverTheOrder() {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-11-23T10:00:00Z"));
        java.time.InstantSource backwards = () -> now.getAndUpdate(t -> t.minus(Duration.ofHours(1)));
        try (TestServer s = TestServer.start(b -> b.clock(backwards))) {
            RawClient ann = s.user("ann");
            ann.join("r");
            RawClient bob = s.user("bob");
            bob.join("r");
            for (int i = 1; i <= 5; i++) {
                Frame ack = ann.call("SEND room=r :m" + i);
                assertEquals("ACK", ack.verb());
                assertEquals(String.valueOf(i), ack.field("seq"));
            }
            java.time.Instant previous = java.time.Instant.MAX;
            for (int i = 1; i <= 5; i++) {
                Frame msg = bob.next("MSG");
                assertEquals(String.valueOf(i), msg.field("seq"), "live delivery follows seq");
                assertEquals("m" + i, msg.text());
                java.time.Instant time = java.time.Instant.parse(msg.field("time"));
                assertTrue(time.isBefore(previous), "the clock went backwards: " + time + " after " + previous);
                previous = time;
            }
            List<Frame> history = bob.callAll("HISTORY room=r");
            assertEquals(List.of("1", "2", "3", "4", "5", "END"),
                    history.stream().map(f -> f.verb().equals("END") ? "END" : f.field("seq")).toList());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), stored(s, "r").stream().map(StoredMessage::seq).toList());

            RawClient cat = s.user("cat");
            cat.join("r");
            for (int i = 1; i <= 5; i++) {
                assertEquals(String.valueOf(i), cat.next("MSG").field("seq"), "the JOIN replay follows seq");
            }
        }
    }
}
