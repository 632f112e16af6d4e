package dev.parley.chat.server;

import dev.parley.chat.net.internal.NonBlockingWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer's merged write: the queued frames copied into one pooled direct buffer and written with
 * one non-blocking {@code write}. A gathering write of heap buffers makes the JDK copy every element
 * into a temporary direct buffer of its own, looking one up in its cache per element; in fan-out that
 * was a quarter of the server's CPU (BENCHMARKS.md, "fanout"). The buffer is held only for the copy and
 * one non-blocking call, so a pool the size of the carrier threads suffices and no idle or stalled
 * connection holds one.
 */
final class CopyingWrite {
    /** The largest merged write; a bigger batch is written as it is. */
    static final int MAX_BYTES = 64 * 1024;
    private static final int KEEP = 8;
    private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private CopyingWrite() {
    }

    /**
     * Copies {@code frames[from..to)} (at most {@link #MAX_BYTES} in all, the first from
     * {@code firstOffset} on; see {@link #suits}) into a direct buffer and writes what the socket takes
     * now, without waiting. The frames themselves are never modified (they may be shared with other
     * recipients).
     *
     * @return the number of bytes written, possibly 0
     */
    static long tryWrite(NonBlockingWrite out, byte[][] frames, int from, int to, int firstOffset) throws IOException {
        ByteBuffer buffer = POOL.poll();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(MAX_BYTES);
        } else {
            POOLED.decrementAndGet();
        }
        try {
            buffer.put(frames[from], firstOffset, frames[from].length - firstOffset);
            for (int i = from + 1; i < to; i++) {
                buffer.put(frames[i]);
            }
            buffer.flip();
            return out.tryWrite(new ByteBuffer[] {buffer});
        } finally {
            buffer.clear();
            if (POOLED.incrementAndGet() <= KEEP) {
                POOL.offer(buffer);
            } else {
                POOLED.decrementAndGet();
            }
        }
    }

    /** Whether a chunk of {@code frames} frames and {@code bytes} bytes goes through {@link #tryWrite}. */
    static boolean suits(int frames, long bytes) {
        return frames >= 2 && bytes <= MAX_BYTES;
    }
}
