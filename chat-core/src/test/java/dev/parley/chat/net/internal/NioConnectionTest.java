package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The poller reads, the reader takes from the inbox: over real loopback sockets, what a peer sends
 * arrives whole and in order, the inbox stays bounded while the reader does not read, the end of the
 * input comes after the data, and reading costs the selector no wake-up. And what a callback left
 * with the connection defers to the end of the poller's round ({@link Poller#atRoundEnd}) runs on the
 * poller after it, in order, every task even if one fails; off the poller nothing is deferred. The
 * server writes a connection's replies that way ({@code Outbound.sendReplies}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NioConnectionTest {
    private ServerSocketChannel server;
    private Poller poller;
    private Socket peer;
    private NioConnection connection;
    private SocketChannel accepted;
    private final AtomicInteger closes = new AtomicInteger();

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        poller = new Poller("parley-poll-test");
        peer = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
        accepted = server.accept();
        connection = new NioConnection(accepted, poller, "tcp", closes::incrementAndGet);
    }

    @AfterEach
    void close() throws IOException {
        connection.close();
        peer.close();
        poller.close();
        server.close();
    }

    @Test
    void aPeerFasterThanTheReaderIsHeldBackByTcpWithTheInboxBounded() throws Exception {
        byte[] sent = new byte[64 << 20]; // more than TCP buffers on loopback (32 MiB receive, 4 MiB send at most)
        new Random(7).nextBytes(sent);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = peer.getOutputStream();
                out.write(sent);
                out.flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        // Nobody reads: the poller fills the inbox up to its limit, then stops reading the socket,
        // and the rest of the peer's 64 MiB waits in TCP's buffers and in its unfinished write.
        while (connection.bufferedInput() < NioConnection.INBOX_LIMIT) {
            LockSupport.parkNanos(1_000_000);
        }
        assertEquals(NioConnection.INBOX_LIMIT, connection.bufferedInput());
        assertTrue(!writer.isDone(), "64 MiB cannot all be buffered by TCP while nobody reads");

        byte[] received = new byte[sent.length];
        int n = 0;
        byte[] buffer = new byte[65536];
        while (n < received.length) {
            int k = connection.read(buffer, 0, buffer.length);
            assertTrue(k > 0, "read " + k + " after " + n + " bytes");
            assertTrue(connection.bufferedInput() <= NioConnection.INBOX_LIMIT);
            System.arraycopy(buffer, 0, received, n, k);
            n += k;
        }
        writer.get(10, TimeUnit.SECONDS);
        assertArrayEquals(sent, received);
    }

    @Test
    void theEndOfTheInputComesAfterTheData() throws Exception {
        OutputStream out = peer.getOutputStream();
        out.write("HELLO name=ann\r\n".getBytes(StandardCharsets.US_ASCII));
        peer.shutdownOutput();
        byte[] buffer = new byte[4];
        StringBuilder text = new StringBuilder();
        int n;
        while ((n = connection.read(buffer, 0, buffer.length)) > 0) {
            text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        assertEquals(-1, n);
        assertEquals("HELLO name=ann\r\n", text.toString());
        assertEquals(-1, connection.read(buffer, 0, buffer.length), "the end stays the end");
    }

    @Test
    void aReaderWaitingForInputCostsTheSelectorNoWakeUp() throws Exception {
        InputStream in = peer.getInputStream();
        OutputStream out = peer.getOutputStream();
        byte[] buffer = new byte[64];
        long before = poller.wakeups();
        // 200 round trips: each time the reader finds nothing, it waits for the poller's next read
        // (the reader of an earlier design re-armed the selector here, one wake-up per message).
        for (int i = 0; i < 200; i++) {
            out.write('a' + i % 26);
            int n = connection.read(buffer, 0, buffer.length);
            assertEquals(1, n);
            assertEquals('a' + i % 26, buffer[0]);
            connection.tryWrite(new java.nio.ByteBuffer[] {java.nio.ByteBuffer.wrap(buffer, 0, 1)});
            assertEquals('a' + i % 26, in.read());
        }
        assertEquals(before, poller.wakeups());
    }

    @Test
    void closingWakesAWaitingReaderAndRunsOnCloseOnce() throws Exception {
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                connection.read(new byte[16], 0, 16);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> Thread.ofVirtual().start(r));
        connection.close();
        connection.close();
        Throwable t = reader.get(10, TimeUnit.SECONDS);
        assertTrue(t instanceof ClosedChannelException, String.valueOf(t));
        assertEquals(1, closes.get());
        assertThrows(ClosedChannelException.class, () -> connection.read(new byte[16], 0, 16));
    }

    @Test
    void aReaderThatFindsNothingLeavesACallbackThatRunsOnceWhenInputArrives() throws Exception {
        CompletableFuture<Void> called = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        Runnable callback = () -> {
            calls.incrementAndGet();
            called.complete(null);
        };
        assertTrue(connection.takeOrCallBack(callback) == InputChunks.NOTHING);
        peer.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        called.get(10, TimeUnit.SECONDS);
        byte[] taken = connection.takeOrCallBack(() -> calls.addAndGet(100));
        assertEquals("PING\r\n", new String(taken, StandardCharsets.US_ASCII));
        // Data was there: the second callback was not kept, and more input does not run the first again.
        peer.getOutputStream().write("PONG\r\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder more = new StringBuilder();
        byte[] buffer = new byte[16];
        while (more.length() < 6) {
            int n = connection.read(buffer, 0, buffer.length);
            more.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        assertEquals("PONG\r\n", more.toString());
        assertEquals(1, calls.get());
    }

    @Test
    void theEndOfTheInputAndTheCloseRunTheCallbackToo() throws Exception {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        assertTrue(connection.takeOrCallBack(() -> ended.complete(null)) == InputChunks.NOTHING);
        peer.shutdownOutput();
        ended.get(10, TimeUnit.SECONDS);
        assertEquals(null, connection.takeOrCallBack(() -> { }), "null: the end of the input");

        CompletableFuture<Void> closed = new CompletableFuture<>();
        try (Socket other = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort())) {
            NioConnection second = new NioConnection(server.accept(), poller, "tcp", () -> { });
            assertTrue(second.takeOrCallBack(() -> closed.complete(null)) == InputChunks.NOTHING);
            second.close();
            closed.get(10, TimeUnit.SECONDS);
            assertThrows(ClosedChannelException.class, () -> second.takeOrCallBack(() -> { }));
        }
    }

    @Test
    void offThePollerThreadNothingIsDeferred() {
        assertFalse(Poller.atRoundEnd(() -> {
            throw new AssertionError("must not run");
        }));
    }

    @Test
    void tasksRunOnThePollerAfterTheCallbackInOrderEvenIfOneFails() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> callbackThread = new CompletableFuture<>();
        CompletableFuture<Thread> lastTaskThread = new CompletableFuture<>();
        // The callback left with the connection runs on the poller when input arrives; what it defers
        // runs after it has returned.
        assertSame(InputChunks.NOTHING, connection.takeOrCallBack(() -> {
            callbackThread.complete(Thread.currentThread());
            events.add("callback starts");
            assertTrue(Poller.atRoundEnd(() -> events.add("first task")));
            assertTrue(Poller.atRoundEnd(() -> {
                events.add("failing task");
                throw new IllegalStateException("a failing round-end task (expected in this test)");
            }));
            assertTrue(Poller.atRoundEnd(() -> {
                events.add("last task");
                // one added by a task runs in the same round, after it
                Poller.atRoundEnd(() -> {
                    events.add("added by a task");
                    lastTaskThread.complete(Thread.currentThread());
                });
            }));
            events.add("callback ends");
        }));
        OutputStream out = peer.getOutputStream();
        out.write('x');
        out.flush();
        Thread ran = lastTaskThread.get(10, TimeUnit.SECONDS);
        assertSame(callbackThread.getNow(null), ran, "the tasks ran on the poller thread");
        assertEquals(List.of("callback starts", "callback ends", "first task", "failing task", "last task",
                "added by a task"), events);

        // The poller goes on after the failed task: the next input reaches the next callback.
        CompletableFuture<Void> next = new CompletableFuture<>();
        assertEquals(1, connection.takeOrCallBack(() -> { }).length);
        assertSame(InputChunks.NOTHING, connection.takeOrCallBack(() -> Poller.atRoundEnd(() -> next.complete(null))));
        out.write('y');
        out.flush();
        next.get(10, TimeUnit.SECONDS);
    }

    @Test
    void whileARoundIsHandledAConnectionItWillStillReadSaysSoOnThePollerOnly() throws Exception {
        try (Socket otherPeer = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
                SocketChannel otherAccepted = server.accept();
                Selector probe = Selector.open()) {
            NioConnection other = new NioConnection(otherAccepted, poller, "tcp", () -> { });
            // Hold the poller at the end of a round while both peers send, so that its next select
            // reports both connections readable.
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> held = new CompletableFuture<>();
            assertSame(InputChunks.NOTHING, connection.takeOrCallBack(() -> Poller.atRoundEnd(() -> {
                held.complete(null);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })));
            peer.getOutputStream().write('h');
            held.get(10, TimeUnit.SECONDS);
            assertEquals(1, connection.takeOrCallBack(() -> { }).length);

            // Each callback runs on the poller when its connection is read, and asks about the other.
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch bothRead = new CountDownLatch(2);
            assertSame(InputChunks.NOTHING, connection.takeOrCallBack(() -> {
                seen.add("first is read; second still to read: " + other.readLaterThisRound()
                        + ", itself: " + connection.readLaterThisRound());
                bothRead.countDown();
            }));
            assertSame(InputChunks.NOTHING, other.takeOrCallBack(() -> {
                seen.add("second is read; first still to read: " + connection.readLaterThisRound()
                        + ", itself: " + other.readLaterThisRound());
                bothRead.countDown();
            }));
            peer.getOutputStream().write('a');
            otherPeer.getOutputStream().write('b');
            // Both sockets readable before the poller selects again (a selector of the test's own).
            accepted.register(probe, SelectionKey.OP_READ);
            otherAccepted.register(probe, SelectionKey.OP_READ);
            int ready = 0;
            while (ready < 2) {
                probe.select(1_000);
                ready = probe.selectedKeys().size();
            }
            release.countDown();
            assertTrue(bothRead.await(10, TimeUnit.SECONDS));
            // Which the select reports first is the kernel's choice: relabel so that the first read
            // comes first in the expectation.
            assertEquals(2, seen.size(), seen.toString());
            String firstRead = seen.get(0).startsWith("first") ? "first" : "second";
            String secondRead = firstRead.equals("first") ? "second" : "first";
            assertEquals(List.of(
                    firstRead + " is read; " + secondRead + " still to read: true, itself: false",
                    secondRead + " is read; " + firstRead + " still to read: false, itself: false"),
                    seen);
            assertFalse(other.readLaterThisRound(), "off the poller thread: never");
            other.close();
        }
    }
}
