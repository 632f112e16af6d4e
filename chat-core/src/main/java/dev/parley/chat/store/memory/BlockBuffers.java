package dev.parley.chat.store.memory;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where one store's {@link MessageBlock}s get their buffers: direct memory, outside the heap, up to a
 * budget, and heap buffers beyond it. Direct memory is shared with everything else in the JVM that
 * uses it, the server's own socket writes among them (and, before JDK 24, the JDK's temporary socket
 * buffers), so the store leaves room: by default it takes at most half of the maximum heap, which is
 * half of {@code -XX:MaxDirectMemorySize} unless that was set lower. If the JVM refuses a direct buffer
 * below the budget (a lower limit), the budget drops to what the store holds and later blocks go on the
 * heap at once, without the JVM's collect-and-retry wait for each. Thread safe.
 *
 * <p>The count is of buffers the store holds: a buffer is counted from its allocation until its block
 * gives it up ({@link #release}), although the JVM frees its memory only when the collector finds it
 * unreachable.
 */
final class BlockBuffers {
    private final AtomicLong direct = new AtomicLong();
    /** Bytes of every buffer handed out, direct or not, for tests. */
    private final AtomicLong allocated = new AtomicLong();
    private volatile long budget;

    BlockBuffers(long budget) {
        this.budget = budget;
    }

    /** Half of the maximum heap: by default, half of the JVM's direct memory limit. */
    static BlockBuffers forThisJvm() {
        return new BlockBuffers(Runtime.getRuntime().maxMemory() / 2);
    }

    /** A buffer of {@code size} bytes: direct if it fits the budget, else on the heap. */
    ByteBuffer allocate(int size) {
        allocated.addAndGet(size);
        if (direct.addAndGet(size) <= budget) {
            try {
                return ByteBuffer.allocateDirect(size);
            } catch (OutOfMemoryError e) {
                // The JVM's limit is below the budget: stay at what is held now.
                budget = Math.max(0, direct.get() - size);
            }
        }
        direct.addAndGet(-size);
        return ByteBuffer.allocate(size);
    }

    /** The block no longer uses {@code buffer}: it no longer counts against the budget. */
    void release(ByteBuffer buffer) {
        if (buffer != null && buffer.isDirect()) {
            direct.addAndGet(-buffer.capacity());
        }
    }

    /** Bytes of every buffer handed out since this was made, direct or not, for tests. */
    long allocatedBytes() {
        return allocated.get();
    }

    /** Bytes of direct buffers held, for tests. */
    long directBytes() {
        return direct.get();
    }
}
