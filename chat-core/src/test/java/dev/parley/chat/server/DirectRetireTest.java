package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A direct conversation nobody on the server takes part in is dropped ({@link RoomDirectory#retireIdleDirects}),
 * so a long-running server does not keep one per pair that ever wrote; the next one continues the
 * conversation's seqs with nothing lost and nothing delivered twice.
 */
@Timeout(60)
class DirectRetireTest {
    private final Semaphore disconnects = new Semaphore(0);
    private ChatServer server;

    private final FakeTicker ticker = new FakeTicker();

    private int start() {
        server = ChatServer.builder()
                .ticker(ticker)
                .listen(TcpTransport.port(0))
                .store(InMemoryMessageStore.create())
                .rateLimit(100_000, 100_000)
                // every name is an account, so alice and bob are the same identities when they come
                // back and their direct conversation is the same one (anonymous users get new ones)
                .authenticator(r -> Authenticator.Result.identity(r.name()))
                .listener(new ServerListener() {
                    @Override
                    public void disconnected(ConnectionInfo connection, DisconnectReason reason) {
                        disconnects.release();
                    }
                })
                .build()
                .start();
        return server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private RoomDirectory directory() {
        return server.hub().directory;
    }

    /** Closes the clients and waits until the server has let each of them go. */
    private void quit(RawClient... clients) throws InterruptedException {
        for (RawClient c : clients) {
            c.close();
        }
        if (!disconnects.tryAcquire(clients.length, 30, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not see the disconnects");
        }
    }

    /** alice's first direct message to bob: acknowledged and delivered as seq 1. */
    private static void aliceWritesToBobOnce(RawClient alice, RawClient bob) {
        alice.send("SEND to=bob :one");
        assertEquals("1", alice.expect("ACK").field("seq"));
        assertEquals("1", bob.expect("MSG").field("seq"));
    }

    @Test
    void droppedWhenBothAreGoneAndTheNextOneContinuesTheSeqs() throws Exception {
        int port = start();
        RawClient a = RawClient.hello(port, "alice");
        RawClient b = RawClient.hello(port, "bob");
        aliceWritesToBobOnce(a, b);
        assertEquals(1, directory().directCount());
        assertEquals(0, directory().retireIdleDirects(), "both are here");

        quit(a);
        assertEquals(0, directory().retireIdleDirects(), "bob is still here");
        quit(b);
        assertEquals(1, directory().retireIdleDirects());
        assertEquals(0, directory().directCount());

        try (RawClient a2 = RawClient.hello(port, "alice"); RawClient b2 = RawClient.hello(port, "bob")) {
            b2.send("SEND to=alice :two");
            assertEquals("2", b2.expect("ACK").field("seq"));
            Frame msg = a2.expect("MSG");
            assertEquals(List.of("2", "bob", "two"), List.of(msg.field("seq"), msg.field("with"), msg.text()));
            a2.send("PING token=z");
            assertEquals("PONG", a2.next().verb(), "the message came once");
            a2.send("HISTORY with=bob ref=h");
            List<Frame> history = a2.untilEnd();
            assertEquals(List.of("one", "two"), history.subList(0, 2).stream().map(Frame::text).toList());
            assertEquals(1, directory().directCount());
        }
    }

    @Test
    void theReaperDropsThemOnceAMinute() throws Exception {
        int port = start();
        RawClient a = RawClient.hello(port, "alice");
        RawClient b = RawClient.hello(port, "bob");
        aliceWritesToBobOnce(a, b);
        quit(a, b);
        server.hub().reaper.pass();
        assertEquals(1, directory().directCount(), "not a minute yet");
        ticker.advance(java.time.Duration.ofNanos(Reaper.DIRECT_SWEEP_NANOS));
        server.hub().reaper.pass(); // or the reaper thread's pass, which this one waits for
        assertEquals(0, directory().directCount());
    }

    /**
     * Rounds of both connecting, alice sending and bob receiving, both leaving, while another thread
     * keeps dropping idle direct conversations: bob sees every seq once, in order, across rounds.
     */
    @Test
    void droppingConcurrentlyWithUseLosesAndRepeatsNothing() throws Exception {
        int port = start();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger dropped = new AtomicInteger();
        CountDownLatch sweeperEnded = new CountDownLatch(1);
        Thread sweeper = Thread.ofVirtual().start(() -> {
            try {
                while (!done.get()) {
                    dropped.addAndGet(directory().retireIdleDirects());
                    Thread.yield();
                }
            } finally {
                sweeperEnded.countDown();
            }
        });
        try {
            long expected = 1;
            for (int round = 0; round < 30; round++) {
                RawClient a = RawClient.hello(port, "alice");
                RawClient b = RawClient.hello(port, "bob");
                for (int i = 0; i < 5; i++) {
                    a.send("SEND to=bob :r" + round + "m" + i);
                }
                for (int i = 0; i < 5; i++) {
                    Frame msg = b.expect("MSG");
                    assertEquals(expected, Long.parseLong(msg.field("seq")), "round " + round);
                    assertEquals("r" + round + "m" + i, msg.text());
                    expected++;
                }
                b.send("PING token=z");
                assertEquals("PONG", b.next().verb(), "nothing twice in round " + round);
                quit(a, b);
            }
        } finally {
            done.set(true);
            sweeperEnded.await();
            sweeper.join();
        }
        dropped.addAndGet(directory().retireIdleDirects()); // the last round's, if the sweeper missed it
        assertEquals(0, directory().directCount());
        if (dropped.get() == 0) {
            throw new AssertionError("the sweeper never dropped a conversation: the test did not test anything");
        }
    }
}
