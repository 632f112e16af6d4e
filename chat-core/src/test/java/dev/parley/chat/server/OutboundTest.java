package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.transport.Connection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's structure: a blocking write covers one chunk of at most {@link CopyingWrite#MAX_BYTES},
 * never the whole queue, and each chunk written counts as progress. That is what lets pacing tell a
 * peer that reads (its writer waits for one chunk at a time) from one that stopped reading (its writer
 * waits for one chunk for ever), whatever the length of the queue: a long queue to a reading peer
 * once made its one write last long enough to look stopped, and the room's senders then flooded it
 * past the limit (the fan-out slow-consumer collapse, BENCHMARKS.md).
 */
@Timeout(20)
class OutboundTest {
    private final ChatServer server = ChatServer.builder().listen(InMemoryTransport.create())
            .store(InMemoryMessageStore.create()).build();

    @AfterEach
    void close() {
        server.close();
    }

    /** A peer that takes one write call each time the test allows it, and records each call's size. */
    private static final class GatedConnection implements Connection {
        final Semaphore allowed = new Semaphore(0);
        final BlockingQueue<Integer> calls = new ArrayBlockingQueue<>(1000);
        final CountDownLatch closed = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

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
            allowed.acquireUninterruptibly();
            int bytes = 0;
            synchronized (written) {
                for (ByteBuffer b : buffers) {
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    written.write(a, 0, a.length);
                    bytes += a.length;
                }
            }
            calls.add(bytes);
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public String transportName() {
            return "gated";
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    /** Takes {@code room} bytes of a non-blocking write, then nothing until a blocking write. */
    private static final class ShortSocket implements Connection, dev.parley.chat.net.internal.NonBlockingWrite {
        final GatedConnection inner = new GatedConnection();
        int room;

        ShortSocket(int room) {
            this.room = room;
        }

        @Override
        public long tryWrite(ByteBuffer[] buffers) {
            long n = 0;
            for (ByteBuffer b : buffers) {
                int take = Math.min(room, b.remaining());
                byte[] a = new byte[take];
                b.get(a);
                synchronized (inner.written) {
                    inner.written.write(a, 0, take);
                }
                room -= take;
                n += take;
            }
            return n;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return inner.read(buffer, offset, length);
        }

        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            inner.write(buffers);
        }

        @Override
        public SocketAddress remoteAddress() {
            return inner.remoteAddress();
        }

        @Override
        public String transportName() {
            return "short";
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void whatADirectWriteLeftOfASharedFrameGoesOutFromWhereItStopped_andTheFrameStaysWhole() throws Exception {
        ShortSocket peer = new ShortSocket(5);
        Session session = new Session(1, peer, server.hub().shared);
        byte[] shared = "MSG room=r seq=1 from=a :hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] copy = shared.clone();
        assertTrue(session.out.send(shared)); // direct: 5 bytes go out, the rest is queued for the writer
        assertTrue(session.out.send(copy, false));
        peer.inner.allowed.release(2);
        session.out.awaitBelow(0, TimeUnit.SECONDS.toNanos(10));
        assertEquals(0, session.out.queued());
        synchronized (peer.inner.written) {
            assertEquals(new String(copy, java.nio.charset.StandardCharsets.US_ASCII).repeat(2),
                    peer.inner.written.toString(java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertArrayEquals(copy, shared, "a frame shared with other recipients is never modified");
    }

    private static byte[] frame(int bytes, char fill) {
        byte[] f = new byte[bytes];
        Arrays.fill(f, (byte) fill);
        f[bytes - 1] = '\n';
        return f;
    }

    @Test
    void aLongQueueIsWrittenOneChunkAtATime_andEachChunkCountsAsProgress() throws Exception {
        GatedConnection peer = new GatedConnection();
        Session session = new Session(1, peer, server.hub().shared);
        Outbound out = session.out;
        ByteArrayOutputStream expected = new ByteArrayOutputStream();

        byte[] first = frame(1000, 'a');
        out.send(first, false); // starts the writer, which now waits in its first write
        expected.write(first);
        List<byte[]> queued = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // 40 x 10,000 bytes: at least seven chunks of 64 KiB with the first
            byte[] f = frame(10_000, (char) ('b' + i % 20));
            queued.add(f);
            expected.write(f);
            assertTrue(out.send(f, false));
        }
        long total = first.length + 40 * 10_000L;
        assertEquals(total, out.queued());

        // The writer may take the first frame alone or with some of the others, whenever it starts.
        long left = total;
        int chunks = 0;
        while (left > 0) {
            peer.allowed.release();
            int call = peer.calls.poll(10, TimeUnit.SECONDS);
            chunks++;
            assertTrue(call <= CopyingWrite.MAX_BYTES, "one write call took " + call + " bytes");
            left -= call;
            // The writer counts a chunk as soon as it is written, not when the whole round is.
            long now = left;
            out.awaitBelow(now, TimeUnit.SECONDS.toNanos(10));
            assertEquals(now, out.queued(), "queued after a chunk");
        }
        assertTrue(chunks >= 7, "401,000 bytes went out in " + chunks + " writes");
        synchronized (peer.written) {
            assertArrayEquals(expected.toByteArray(), peer.written.toByteArray(), "every byte in order");
        }
    }

    @Test
    void aSendersBatchReachesEachMemberAsOneQueueOperation() throws Exception {
        Hub hub = server.hub();
        Room room = hub.directory.room("r", true);
        GatedConnection peer = new GatedConnection();
        Session member = new Session(1, peer, hub.shared);
        member.user = hub.users.register(member, "anna", "anna", "anna~test1");
        room.join(member, member.user);
        room.goLive(member);
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(new NewMessage(room.key, "sys", "m" + i, Instant.parse("2026-01-01T00:00:00Z"), null));
        }
        hub.publisher.publish(List.of(room, room, room), batch, null);
        // The three MSGs were queued together, before the writer started: its first write has them
        // all. Queued one by one, the writer started by the first could have taken it alone.
        peer.allowed.release();
        int first = peer.calls.poll(10, TimeUnit.SECONDS);
        String written;
        synchronized (peer.written) {
            written = peer.written.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        assertEquals(3, written.lines().filter(l -> l.startsWith("MSG ")).count(), written);
        assertEquals(written.length(), first, "one write call");
        assertTrue(written.indexOf(":m0") < written.indexOf(":m1") && written.indexOf(":m1") < written.indexOf(":m2"),
                "in seq order: " + written);
    }
}
