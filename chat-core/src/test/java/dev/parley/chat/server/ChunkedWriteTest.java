package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.internal.NonBlockingWrite;
import dev.parley.chat.transport.Connection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's chunks: what reaches the connection, in how many calls, and what the owner is told
 * (each write's start and end, each chunk written).
 */
@Timeout(10)
class ChunkedWriteTest {

    /**
     * A connection whose non-blocking write takes at most {@code room} bytes per call and whose
     * blocking write takes everything (if {@code blocked} is set, it counts it down and waits for
     * {@code release} first; {@code failBlocking} or {@code error} make it throw); it records every call.
     */
    private static final class FakeConnection implements Connection, NonBlockingWrite {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        final List<String> calls = new ArrayList<>();
        final int room;
        CountDownLatch blocked;
        CountDownLatch release;
        IOException failBlocking;
        Error error;

        FakeConnection(int room) {
            this.room = room;
        }

        @Override
        public long tryWrite(ByteBuffer[] buffers) {
            long n = 0;
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining() && n < room) {
                    taken.write(b.get());
                    n++;
                }
            }
            calls.add("try " + n);
            return n;
        }

        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            if (blocked != null) {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (failBlocking != null) {
                throw failBlocking;
            }
            if (error != null) {
                throw error;
            }
            long n = 0;
            for (ByteBuffer b : buffers) {
                n += b.remaining();
                while (b.hasRemaining()) {
                    taken.write(b.get());
                }
            }
            calls.add("write " + n);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            return -1;
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public String transportName() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }

    /** Records what the writer tells its owner, as "start", "end" and "written N". */
    private static final class Recorder implements ChunkedWrite.Progress {
        final List<String> events = new ArrayList<>();
        volatile long started;

        @Override
        public void writing(long startedNanos) {
            started = startedNanos;
            events.add(startedNanos == 0 ? "end" : "start");
        }

        @Override
        public void written(long bytes) {
            events.add("written " + bytes);
        }
    }

    private static byte[] frame(int length, int fill) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static byte[] concat(byte[][] frames, int offset) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(frames[0], offset, frames[0].length - offset);
        for (int i = 1; i < frames.length; i++) {
            all.writeBytes(frames[i]);
        }
        return all.toByteArray();
    }

    @Test
    void aLargeBatchGoesOutInChunksOfAtMost64KiBInOrder() throws Exception {
        FakeConnection c = new FakeConnection(Integer.MAX_VALUE);
        byte[][] batch = new byte[40][];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = frame(5000, i);
        }
        Recorder r = new Recorder();
        ChunkedWrite.write(c, c, batch, 0, r);

        assertArrayEquals(concat(batch, 0), c.taken.toByteArray());
        // 13 frames of 5,000 bytes fit in 64 KiB: 13 + 13 + 13 + 1, one call each; a chunk of one
        // frame is written as it is, with nothing to merge.
        assertEquals(List.of("try 65000", "try 65000", "try 65000", "write 5000"), c.calls);
        assertEquals(List.of("start", "end", "written 65000", "start", "end", "written 65000", "start", "end",
                "written 65000", "start", "end", "written 5000"), r.events);
    }

    @Test
    void whatTheSocketDidNotTakeGoesInOneBlockingWriteFromWhereItStopped() throws Exception {
        FakeConnection c = new FakeConnection(7);
        byte[][] batch = {"abc\n".getBytes(), "defgh\n".getBytes(), "ij\n".getBytes()};
        Recorder r = new Recorder();
        ChunkedWrite.write(c, c, batch, 1, r);

        assertEquals("bc\ndefgh\nij\n", c.taken.toString());
        assertEquals(List.of("try 7", "write 5"), c.calls);
        assertEquals(List.of("start", "end", "written 12"), r.events, "one chunk, reported once all of it is out");
    }

    @Test
    void withoutANonBlockingWriteEveryChunkIsOneBlockingWrite() throws Exception {
        FakeConnection c = new FakeConnection(0);
        byte[][] batch = {frame(40_000, 1), frame(40_000, 2), frame(10, 3)};
        ChunkedWrite.write(c, null, batch, 0, new Recorder());

        assertArrayEquals(concat(batch, 0), c.taken.toByteArray());
        assertEquals(List.of("write 40000", "write 40010"), c.calls);
    }

    @Test
    void theOwnerSeesWhenAWriteThatWaitsForThePeerStarted() throws Exception {
        FakeConnection c = new FakeConnection(0);
        c.blocked = new CountDownLatch(1);
        c.release = new CountDownLatch(1);
        Recorder r = new Recorder();
        long before = System.nanoTime();

        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                ChunkedWrite.write(c, c, new byte[][] {frame(100, 1)}, 0, r);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        c.blocked.await();
        assertTrue(r.started >= before, "the start is known while the write waits");
        c.release.countDown();
        writing.get();
        assertEquals(0, r.started);
        assertEquals(List.of("start", "end", "written 100"), r.events);
    }

    @Test
    void aFailedWriteEndsTheClockAndReportsNothingWritten() {
        FakeConnection c = new FakeConnection(0);
        c.failBlocking = new IOException("reset");
        Recorder r = new Recorder();

        assertThrows(IOException.class, () -> ChunkedWrite.write(c, c, new byte[][] {frame(10, 1), frame(10, 2)}, 0, r));
        assertEquals(List.of("start", "end"), r.events);
    }

    @Test
    void anErrorInTheWriteLeavesTheClockRunningSoTheWriteTimeoutCloses() {
        FakeConnection c = new FakeConnection(0);
        c.error = new OutOfMemoryError("test");
        Recorder r = new Recorder();

        assertThrows(OutOfMemoryError.class, () -> ChunkedWrite.write(c, c, new byte[][] {frame(10, 1)}, 0, r));
        assertEquals(List.of("start"), r.events);
        assertTrue(r.started != 0);
    }
}
