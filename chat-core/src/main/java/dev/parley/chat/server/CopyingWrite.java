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
     * Copies {@code frames} (heap buffers, at most {@link #MAX_BYTES} in all; see {@link #suits}) into a
     * direct buffer, writes what the socket takes now, and advances the frames past what was written.
     */
    static void tryWrite(NonBlockingWrite out, ByteBuffer[] frames) throws IOException {
        ByteBuffer buffer = POOL.poll();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(MAX_BYTES);
        } else {
            POOLED.decrementAndGet();
        }
        try {
            for (ByteBuffer f : frames) {
                buffer.put(f.array(), f.arrayOffset() + f.position(), f.remaining());
            }
            buffer.flip();
            long written = out.tryWrite(new ByteBuffer[] {buffer});
            for (ByteBuffer f : frames) {
                int n = (int) Math.min(written, f.remaining());
                f.position(f.position() + n);
                written -= n;
                if (written == 0) {
                    break;
                }
            }
        } finally {
            buffer.clear();
            if (POOLED.incrementAndGet() <= KEEP) {
                POOL.offer(buffer);
            } else {
                POOLED.decrementAndGet();
            }
        }
    }

    /** Whether the batch can go through {@link #tryWrite}. */
    static boolean suits(ByteBuffer[] frames, long bytes) {
        if (frames.length < 2 || bytes > MAX_BYTES) {
            return false;
        }
        for (ByteBuffer f : frames) {
            if (!f.hasArray()) {
                return false;
            }
        }
        return true;
    }
}
