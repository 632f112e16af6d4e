package dev.parley.chat.server;

import java.util.Arrays;
import java.util.List;

/**
 * The frames an {@link Outbound} has queued, in order, in a plain array that a writer takes whole.
 *
 * <p>The writer swaps the queue for the one it emptied in its last round ({@link #clear}) and writes
 * the frames straight from this array, so a busy connection's rounds neither copy the queue out nor
 * make a new one. An {@code ArrayDeque} copied out with {@code toArray} each round, and grown anew
 * after every burst, was 28 % of a fan-out server's allocation (BENCHMARKS.md, issue 20).
 *
 * <p>Not thread-safe: guarded by the {@link Outbound}'s lock while it is the queue, the writer's alone
 * while it writes it.
 */
final class FrameQueue {
    /** The smallest array made: a room's run of a few frames fits without growing. */
    static final int MIN_CAPACITY = 16;

    private byte[][] frames;
    private int size;

    /** A queue with room for {@code expected} frames (at least {@link #MIN_CAPACITY}). */
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
        int n = more.size();
        if (size + n > frames.length) {
            grow(size + n);
        }
        for (int i = 0; i < n; i++) {
            frames[size++] = more.get(i);
        }
    }

    /** Puts a frame in front of the others (the unwritten rest of a direct write). */
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

    /** The queue's own array; the frames are in {@code [0, size())}. */
    byte[][] frames() {
        return frames;
    }

    /** Empties the queue for reuse, dropping its references to the frames; keeps the array. */
    void clear() {
        Arrays.fill(frames, 0, size, null);
        size = 0;
    }

    /** The array's length, for tests. */
    int capacity() {
        return frames.length;
    }

    private void grow(int needed) {
        frames = Arrays.copyOf(frames, Math.max(needed, 2 * frames.length));
    }
}
