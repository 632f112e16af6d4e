package dev.parley.chat.server;

import java.util.Arrays;
import java.util.List;

/**
 * The frames an {@link Outbound} has queued, in order, in a plain array. The writer takes a queue
 * whole and the next frame starts a new one, so a writer's round neither copies the queue nor clears
 * it (an {@code ArrayDeque} per connection, copied out with {@code toArray} and cleared each round,
 * was 7 % of a fan-out server's Java samples: {@code addLast}, {@code circularClear}; BENCHMARKS.md,
 * issue 20). Like the {@code ArrayDeque} before, a queue exists only while something is queued or
 * written, so an idle connection holds none.
 *
 * <p>Guarded by the {@link Outbound}'s lock until the writer takes it; the writer's alone after that.
 */
final class FrameQueue {
    private static final int MIN_CAPACITY = 16;

    private byte[][] frames;
    private int size;

    FrameQueue(int expected) {
        frames = new byte[Math.max(MIN_CAPACITY, expected)][];
    }

    void add(byte[] frame) {
        if (size == frames.length) {
            grow(size + 1);
        }
        frames[size++] = frame;
    }

    void addAll(List<byte[]> more) {
        if (size + more.size() > frames.length) {
            grow(size + more.size());
        }
        for (byte[] f : more) {
            frames[size++] = f;
        }
    }

    /** Puts a frame in front of the others (the rest of a direct write). */
    void addFirst(byte[] frame) {
        if (size == frames.length) {
            grow(size + 1);
        }
        System.arraycopy(frames, 0, frames, 1, size);
        frames[0] = frame;
        size++;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The frames, in {@code [0, size())}; the array is the queue's own (for the writer that took it). */
    byte[][] frames() {
        return frames;
    }

    private void grow(int needed) {
        frames = Arrays.copyOf(frames, Math.max(needed, 2 * frames.length));
    }
}
