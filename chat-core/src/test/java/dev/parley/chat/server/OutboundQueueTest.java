package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the writer takes the queue (issue 20: the queue's allocation): whole, per round, leaving the
 * queue it emptied in the last round in its place, so a busy connection's rounds make no new array;
 * and nothing held once the writer exits. Over a connection whose every write waits for the test to
 * let it through, so the test knows which round the writer is in.
 */
@Timeout(20)
class OutboundQueueTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(10);
    private final ChatServer server = ChatServer.builder().listen(InMemoryTransport.create())
            .store(InMemoryMessageStore.create()).build();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void aBusyWritersRoundsSwapTwoQueues_andAnIdleConnectionHoldsNone() throws Exception {
        GatedConnection c = new GatedConnection();
        Session s = new Session(1, c, server.hub().shared);
        List<String> sent = new ArrayList<>();

        send(s, sent, "r1");
        c.awaitWriteStarted(); // round 1 writes [r1] and waits at the gate
        assertNull(s.out.queueNow(), "round 1 took the whole queue");
        send(s, sent, "r2a");
        send(s, sent, "r2b");
        FrameQueue second = s.out.queueNow();
        assertNotNull(second, "frames behind a running write wait in a new queue");

        c.letOneWriteThrough();
        c.awaitWriteStarted(); // round 2 writes [r2a, r2b]
        FrameQueue inPlace = s.out.queueNow();
        assertNotNull(inPlace, "round 2 left the queue it emptied in round 1 in its place");
        assertTrue(inPlace.isEmpty());
        assertNotSame(second, inPlace);
        send(s, sent, "r3");
        assertSame(inPlace, s.out.queueNow(), "the next frame goes into it: no new array");

        c.letOneWriteThrough();
        c.awaitWriteStarted(); // round 3 writes [r3]
        assertSame(second, s.out.queueNow(), "round 3 put round 2's queue back: two queues, back and forth");
        assertTrue(second.isEmpty());
        assertEquals(0, second.capacity() - FrameQueue.MIN_CAPACITY, "not grown");
        for (byte[] f : second.frames()) {
            assertEquals(null, f, "an emptied queue keeps no frame alive");
        }

        c.open();
        List<Frame> got = c.inner.awaitFrames(sent.size());
        assertEquals(sent, got.stream().map(Frame::toString).toList(), "every frame, in order");
        assertFalse(s.out.holdsQueueOnceIdle(WAIT), "the writer dropped both queues when it exited");
        send(s, sent, "again");
        assertEquals(sent, c.inner.awaitFrames(sent.size()).stream().map(Frame::toString).toList());
        assertFalse(s.out.holdsQueueOnceIdle(WAIT));
    }

    @Test
    void aQueueGrowsPastItsFirstArrayInOrder() {
        FrameQueue q = new FrameQueue(1);
        assertEquals(FrameQueue.MIN_CAPACITY, q.capacity());
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] f = {(byte) i};
            q.add(f);
            expected.add(f);
        }
        List<byte[]> run = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            run.add(new byte[] {(byte) (100 + i)});
        }
        q.addAll(run);
        expected.addAll(run);
        byte[] rest = {-1};
        q.addFirst(rest);
        expected.add(0, rest);
        assertEquals(expected.size(), q.size());
        for (int i = 0; i < expected.size(); i++) {
            assertSame(expected.get(i), q.frames()[i], "frame " + i);
        }
        q.clear();
        assertTrue(q.isEmpty());
        assertTrue(q.capacity() >= expected.size(), "clear keeps the array");
        for (byte[] f : q.frames()) {
            assertEquals(null, f);
        }
    }

    @Test
    void addFirstIntoAFullArrayGrowsIt() {
        FrameQueue q = new FrameQueue(FrameQueue.MIN_CAPACITY);
        for (int i = 0; i < FrameQueue.MIN_CAPACITY; i++) {
            q.add(new byte[] {(byte) i});
        }
        byte[] first = {-1};
        q.addFirst(first);
        assertEquals(FrameQueue.MIN_CAPACITY + 1, q.size());
        assertSame(first, q.frames()[0]);
        assertEquals(FrameQueue.MIN_CAPACITY - 1, q.frames()[FrameQueue.MIN_CAPACITY][0]);
    }

    private static void send(Session s, List<String> sent, String token) {
        assertTrue(s.out.send(Wire.encode(new ServerMessage.Ping(token))));
        sent.add("PING token=" + token);
    }

    /**
     * A connection without a non-blocking write (every frame goes through the queue and the writer)
     * whose writes each wait for a permit from the test, unless it opened the gate for good.
     */
    private static final class GatedConnection implements Connection {
        final CaptureConnection inner = new CaptureConnection();
        private final Semaphore started = new Semaphore(0);
        private final Semaphore permits = new Semaphore(0);
        private volatile boolean open;

        void awaitWriteStarted() throws InterruptedException {
            assertTrue(started.tryAcquire(10, TimeUnit.SECONDS), "a write started");
        }

        void letOneWriteThrough() {
            permits.release();
        }

        void open() {
            open = true;
            permits.release(1_000);
        }

        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            if (!open) {
                started.release();
                try {
                    permits.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            inner.write(buffers);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return inner.read(buffer, offset, length);
        }

        @Override
        public SocketAddress remoteAddress() {
            return inner.remoteAddress();
        }

        @Override
        public String transportName() {
            return "gated";
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
