package dev.parley.chat.server;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The frames waiting to be written to one connection, in order, and the bytes they and the writer's
 * current batch still hold. Not thread safe: {@link Outbound}'s lock guards it, and Outbound decides
 * who writes.
 *
 * <p>Frames are kept as their whole {@code byte[]}s, shared with the other recipients and never
 * modified; a {@code ByteBuffer} is made only for a write, one per merged chunk, not per frame and
 * recipient. Most connections are idle most of the time, so the deque is made when the first frame
 * comes and dropped ({@link #release}) once a writer found it empty: an empty {@code ArrayDeque} is
 * 112 bytes. A busy connection keeps it from round to round.
 */
final class PendingFrames {
    private static final byte[][] NONE = new byte[0][];

    /** The frames, oldest first; null while there are none and nothing holds it. */
    private ArrayDeque<byte[]> frames;
    /** How much of the first frame was written already (what a direct write left). */
    private int firstOffset;
    /** Bytes of the frames here and of the batch the writer took and has not written yet. */
    private long bytes;

    /** Appends one frame of {@code frame.length} bytes. */
    void add(byte[] frame) {
        deque().addLast(frame);
        bytes += frame.length;
    }

    /** Appends {@code many} frames, in order, of {@code total} bytes together. */
    void addAll(List<byte[]> many, long total) {
        deque().addAll(many);
        bytes += total;
    }

    boolean isEmpty() {
        return frames == null || frames.isEmpty();
    }

    /** Bytes waiting here or in the writer's current batch. */
    long bytes() {
        return bytes;
    }

    /** How much of the first frame was written already: where the batch {@link #takeAll} returns starts. */
    int firstOffset() {
        return firstOffset;
    }

    /**
     * Takes every frame for the writer's round; their bytes still count until the writer reports
     * them {@link #written}. Read {@link #firstOffset} before: this resets it. Keeps the deque.
     */
    byte[][] takeAll() {
        if (frames == null) {
            return NONE;
        }
        byte[][] batch = frames.toArray(NONE);
        frames.clear();
        firstOffset = 0;
        return batch;
    }

    /**
     * Takes every frame for one direct write, as buffers (the first from where it was left), and
     * stops counting them: what the write leaves comes back through {@link #putBack}. Drops the deque.
     */
    ByteBuffer[] takeAllAsBuffers() {
        if (frames == null) {
            return new ByteBuffer[0];
        }
        ByteBuffer[] buffers = new ByteBuffer[frames.size()];
        int i = 0;
        for (byte[] f : frames) {
            int from = i == 0 ? firstOffset : 0;
            buffers[i++] = ByteBuffer.wrap(f, from, f.length - from);
            bytes -= f.length - from;
        }
        frames = null;
        firstOffset = 0;
        return buffers;
    }

    /**
     * Puts what a direct write left of its buffers back in front of the frames queued meanwhile: the
     * frames whole, the first of them from where the write stopped.
     */
    void putBack(ByteBuffer[] buffers) {
        for (int i = buffers.length - 1; i >= 0; i--) {
            ByteBuffer b = buffers[i];
            if (b.hasRemaining()) {
                deque().addFirst(b.array());
                bytes += b.remaining();
                firstOffset = b.position();
            }
        }
    }

    /** The writer wrote this many bytes of its batch. */
    void written(long n) {
        bytes -= n;
    }

    /** Drops the deque if it is empty: an idle connection holds none. */
    void release() {
        if (isEmpty()) {
            frames = null;
        }
    }

    /** Drops every frame (the connection is closed); the byte count stays as it was. */
    void clear() {
        frames = null;
        firstOffset = 0;
    }

    /** Whether a deque is held, empty or not. For tests: an idle connection must hold none. */
    boolean holdsDeque() {
        return frames != null;
    }

    private ArrayDeque<byte[]> deque() {
        ArrayDeque<byte[]> d = frames;
        if (d == null) {
            d = new ArrayDeque<>();
            frames = d;
        }
        return d;
    }
}
