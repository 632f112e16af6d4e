package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Poller#atRoundEnd}: work left by code running on the poller thread runs on that thread once
 * the round's keys are handled, in order, every task even if one fails; elsewhere it is refused. The
 * server writes a connection's frames of a round with it ({@code Outbound}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollerRoundEndTest {
    private ServerSocketChannel server;
    private Poller poller;
    private Socket peer;
    private NioConnection connection;

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        poller = new Poller("parley-poll-round-test");
        peer = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
        connection = new NioConnection(server.accept(), poller, "tcp", () -> { });
    }

    @AfterEach
    void close() throws IOException {
        connection.close();
        peer.close();
        poller.close();
        server.close();
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
}
