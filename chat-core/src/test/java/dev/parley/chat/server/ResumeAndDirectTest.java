package dev.parley.chat.server;

import dev.parley.chat.testing.FlakyStore;
import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Resume with since (no gap, no duplicate), GAP frames, direct messages, idempotent resends, store failure. */
@Timeout(60)
class ResumeAndDirectTest {
    private MessageStore store = InMemoryMessageStore.create();
    private ChatServer server;

    private int start(ChatServer.Builder b) {
        server = b.listen(TcpTransport.port(0)).store(store).build().start();
        return server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void resumeUnderConcurrentSendingHasNoGapAndNoDuplicate() throws Exception {
        resumeUnderConcurrentSending(ChatServer.builder().rateLimit(100_000, 100_000));
    }

    @Test
    void theSameWhenEveryDeliveryGoesThroughTheWriters() throws Exception {
        resumeUnderConcurrentSending(ChatServer.builder().rateLimit(100_000, 100_000).directWriteMaxRecipients(0));
    }

    private void resumeUnderConcurrentSending(ChatServer.Builder builder) throws Exception {
        int port = start(builder);
        int perSender = 300;
        int total = 2 * perSender;
        try (RawClient watcher = RawClient.hello(port, "watcher");
                RawClient s1 = RawClient.hello(port, "s1");
                RawClient s2 = RawClient.hello(port, "s2")) {
            for (RawClient c : List.of(watcher, s1, s2)) {
                c.send("JOIN room=busy");
                c.expect("JOINED");
            }
            RawClient resumer = RawClient.hello(port, "resumer");
            resumer.send("JOIN room=busy");
            resumer.expect("JOINED");

            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (RawClient s : List.of(s1, s2)) {
                senders.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < perSender; i++) {
                            s.send("SEND room=busy :" + i);
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            // The resumer reads a while, then its connection drops.
            long last = 0;
            while (last < 100) {
                Frame f = resumer.awaitVerb("MSG");
                assertEquals(last + 1, Long.parseLong(f.field("seq")));
                last = Long.parseLong(f.field("seq"));
            }
            resumer.close();
            RawClient again = RawClient.hello(port, "resumer2");
            again.send("JOIN room=busy since=" + last + " ref=r");
            Frame joined = again.expect("JOINED");
            assertTrue(Long.parseLong(joined.field("head")) >= last);
            long expected = last + 1;
            while (expected <= total) {
                Frame f = again.next();
                if (!f.verb().equals("MSG")) {
                    assertNotEquals("GAP", f.verb());
                    continue;
                }
                assertEquals(expected, Long.parseLong(f.field("seq")), "replay and live must join without gap or duplicate");
                expected++;
            }
            // The watcher, a member all along, saw every message once, in seq order.
            long seen = 0;
            while (seen < total) {
                Frame f = watcher.awaitVerb("MSG");
                assertEquals(seen + 1, Long.parseLong(f.field("seq")));
                seen++;
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            again.close();
        }
    }

    @Test
    void gapFramesForLimitAndRetention() throws Exception {
        store = InMemoryMessageStore.withRetention(5);
        int port = start(ChatServer.builder().maxReplay(10));
        for (int i = 1; i <= 20; i++) {
            server.post("r", "system", "m" + i);
        }
        try (RawClient a = RawClient.hello(port, "alice")) {
            a.send("JOIN room=r since=0");
            assertEquals("20", a.expect("JOINED").field("head"));
            Frame gap = a.expect("GAP");
            assertEquals(List.of("1", "10", "limit"), List.of(gap.field("from"), gap.field("to"), gap.field("reason")));
            gap = a.expect("GAP");
            assertEquals(List.of("11", "15", "retention"), List.of(gap.field("from"), gap.field("to"), gap.field("reason")));
            for (int i = 16; i <= 20; i++) {
                assertEquals(String.valueOf(i), a.expect("MSG").field("seq"));
            }
            a.send("JOIN room=r since=17");
            a.expect("JOINED");
            for (int i = 18; i <= 20; i++) {
                assertEquals(String.valueOf(i), a.expect("MSG").field("seq"));
            }
            a.send("JOIN room=r since=20 ref=nothing-new");
            a.expect("JOINED");
            a.send("JOIN room=r since=x");
            assertEquals("BAD_VALUE", a.expect("ERROR").field("code"));
        }
    }

    @Test
    void directMessagesIdempotentResendsAndHistory() throws Exception {
        int port = start(ChatServer.builder());
        try (RawClient a = RawClient.hello(port, "alice"); RawClient b = RawClient.hello(port, "bob")) {
            a.send("SEND to=BOB id=m-1 ref=1 :psst");
            Frame ack = a.expect("ACK");
            assertEquals(List.of("1", "bob", "1", "m-1"),
                    List.of(ack.field("ref"), ack.field("to"), ack.field("seq"), ack.field("id")));
            Frame msg = b.expect("MSG");
            assertEquals(List.of("alice", "alice", "1"), List.of(msg.field("with"), msg.field("from"), msg.field("seq")));
            assertEquals("psst", msg.text());

            a.send("SEND to=bob id=m-1 ref=2 :psst");
            Frame again = a.expect("ACK");
            assertEquals("1", again.field("seq"));
            assertEquals(ack.field("time"), again.field("time"));
            b.send("SEND to=alice :back");
            assertEquals("2", b.expect("ACK").field("seq"));
            Frame reply = a.expect("MSG");
            assertEquals("bob", reply.field("with"));
            assertEquals("2", reply.field("seq"));
            // bob got the first one once: the next thing he sees is his own ACK, then the answer to PING
            b.send("PING token=z");
            assertEquals("PONG", b.next().verb());

            a.send("HISTORY with=Bob ref=h");
            List<Frame> h = a.untilEnd();
            assertEquals(3, h.size());
            assertEquals("bob", h.get(0).field("with"));
            assertEquals("psst", h.get(0).text());
            assertEquals("back", h.get(1).text());
            a.send("HISTORY with=nobody ref=h2");
            assertEquals("0", a.expect("END").field("count"));

            a.send("SEND to=nobody :x");
            assertEquals("NO_SUCH_USER", a.expect("ERROR").field("code"));
            a.send("SEND to=bob room=x :x");
            assertEquals("BAD_VALUE", a.expect("ERROR").field("code"));
            a.send("SEND to=bob");
            assertEquals("MISSING_FIELD", a.expect("ERROR").field("code"));
            a.send("SEND room=x :hi");
            assertEquals("NOT_IN_ROOM", a.expect("ERROR").field("code"));
        }
    }

    @Test
    void storeFailureIsReportedAndNothingIsDelivered() throws Exception {
        FlakyStore flaky = new FlakyStore(store);
        store = flaky;
        int port = start(ChatServer.builder());
        try (RawClient a = RawClient.hello(port, "alice"); RawClient b = RawClient.hello(port, "bob")) {
            bothJoin(a, b);
            flaky.failAppends = true;
            a.send("SEND room=r ref=f :lost");
            Frame e = a.expect("ERROR");
            assertEquals("STORE_UNAVAILABLE", e.field("code"));
            assertEquals("f", e.field("ref"));
            // Three in one write share one store call: each is answered, none delivered.
            a.sendRaw("SEND room=r ref=1 :a\nSEND room=r ref=2 :b\nSEND room=r ref=3 :c\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String ref : List.of("1", "2", "3")) {
                Frame each = a.expect("ERROR");
                assertEquals("STORE_UNAVAILABLE", each.field("code"));
                assertEquals(ref, each.field("ref"));
            }
            flaky.failAppends = false;
            a.send("SEND room=r :kept");
            assertEquals("1", a.expect("ACK").field("seq"));
            Frame m = b.expect("MSG");
            assertEquals("kept", m.text());
            assertEquals(flaky.appendCalls.get() - 1, server.stats().storeFailures());
        }
    }

    @Test
    void pipelinedSendsAreStoredTogetherAndAnsweredInRequestOrder() throws Exception {
        FlakyStore counting = new FlakyStore(store);
        store = counting;
        int port = start(ChatServer.builder());
        try (RawClient a = RawClient.hello(port, "alice"); RawClient b = RawClient.hello(port, "bob")) {
            bothJoin(a, b);
            // 50 requests in one write: SENDs, a WHO in the middle, and a SEND the server refuses.
            StringBuilder burst = new StringBuilder();
            List<String> expectedRefs = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                if (i == 25) {
                    burst.append("WHO room=r ref=w\n");
                    expectedRefs.addAll(List.of("w", "w", "w")); // MEMBER, MEMBER, END
                } else if (i == 30) {
                    burst.append("SEND room=nowhere ref=bad :not in that room\n");
                    expectedRefs.add("bad");
                } else {
                    burst.append("SEND room=r ref=s").append(i).append(" :m").append(i).append("\n");
                    expectedRefs.add("s" + i);
                }
            }
            a.sendRaw(burst.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<String> refs = new ArrayList<>();
            long seq = 0;
            for (int i = 0; i < expectedRefs.size(); i++) {
                Frame f = a.next();
                refs.add(f.field("ref"));
                if (f.verb().equals("ACK")) {
                    assertEquals(++seq, Long.parseLong(f.field("seq")), f.toString());
                } else if ("bad".equals(f.field("ref"))) {
                    assertEquals("NOT_IN_ROOM", f.field("code"));
                }
            }
            assertEquals(expectedRefs, refs, "replies in the order of the requests");
            assertEquals(48, seq);
            for (int i = 1; i <= 48; i++) {
                Frame m = b.expect("MSG");
                assertEquals(Integer.toString(i), m.field("seq"));
            }
            assertTrue(counting.largestBatch.get() > 1, "SENDs of one read share a store call");
            assertTrue(counting.appendCalls.get() < 48, counting.appendCalls + " store calls for 48 SENDs");
            assertEquals(counting.appendCalls.get(), server.stats().storeAppends());
        }
    }

    /** a, then b, join room r; a's notice of b is read. */
    private static void bothJoin(RawClient a, RawClient b) throws Exception {
        a.send("JOIN room=r");
        a.expect("JOINED");
        b.send("JOIN room=r");
        b.expect("JOINED");
        a.expect("JOINED");
    }
}
