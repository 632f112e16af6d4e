package dev.parley.chat.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The idle watchdog of a connection, on a fake clock. */
@Timeout(10)
class WatchdogTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    private final FakeScheduler clock = new FakeScheduler();
    private final EventThread events = new EventThread("test-events", 100);
    private final FakeConnection connection = new FakeConnection();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Link link = new Link("t/c1", connection, "fake", clock, events, SECOND, new Link.Receiver() {
        @Override
        public void received(Link l, ServerMessage message, Frame frame) {
        }

        @Override
        public void unreadable(Link l, Frame frame, ProtocolException error) {
        }

        @Override
        public void ended(Link l) {
            ended.countDown();
        }
    });

    @AfterEach
    void stop() {
        link.close();
        events.shutdown();
    }

    @Test
    void aQuietServerIsPingedAfterHalfTheTimeoutAndDroppedAfterAllOfIt() throws Exception {
        link.registered = true;
        link.start();
        clock.advance(SECOND / 2 - 1);
        assertEquals(null, connection.written.poll(), "nothing before half the timeout");
        clock.advance(1);
        assertEquals("PING token=idle", connection.written.poll(5, TimeUnit.SECONDS));
        clock.advance(SECOND / 2 - 1);
        assertFalse(link.hasEnded());
        clock.advance(1);
        assertTrue(ended.await(5, TimeUnit.SECONDS), "closed");
        assertTrue(link.idle, "as dead (reason timeout)");
    }

    @Test
    void aServerThatKeepsTalkingIsLeftAlone() {
        link.registered = true;
        link.start();
        for (int i = 0; i < 10; i++) {
            clock.advance(400 * MS);
            link.lastInbound = clock.nanoTime();
        }
        assertFalse(link.hasEnded());
        assertFalse(link.idle);
        assertEquals(1, clock.pending(), "one check armed at a time");
    }

    @Test
    void aWriteBlockedForTheTimeoutDropsTheConnectionEvenWhileTheServerTalks() throws Exception {
        connection.blockWrites = true;
        link.start();
        link.send(new ClientMessage.Rooms("1"));
        assertTrue(connection.writing.await(5, TimeUnit.SECONDS), "the writer is in its write at time 0");
        clock.advance(400 * MS);
        link.lastInbound = clock.nanoTime();
        clock.advance(400 * MS);
        link.lastInbound = clock.nanoTime();
        clock.advance(200 * MS - 1);
        assertFalse(link.hasEnded(), "stuck for less than the timeout");
        clock.advance(1);
        assertTrue(ended.await(5, TimeUnit.SECONDS), "closed after one second stuck in one write");
        assertTrue(link.idle);
    }

    /** A connection whose reads wait until it is closed, and whose writes are recorded or block. */
    private static final class FakeConnection implements Connection {
        final BlockingQueue<String> written = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        final CountDownLatch writing = new CountDownLatch(1);
        volatile boolean blockWrites;

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }

        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            writing.countDown();
            if (blockWrites) {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("closed");
            }
            for (ByteBuffer b : buffers) {
                String s = StandardCharsets.UTF_8.decode(b).toString();
                for (String line : s.split("\r?\n")) {
                    written.add(line);
                }
            }
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress(0);
        }

        @Override
        public String transportName() {
            return "fake";
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
