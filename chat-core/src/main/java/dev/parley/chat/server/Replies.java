package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's reply buffer: the reader collects the answers to what one read brought and sends
 * them in one go ({@link #flush}), as one write when it can. A reader with a large answer (a long
 * HISTORY) flushes every 64 KiB and first waits for its own outbound queue to drain, which is the
 * back-pressure on what a client asks for. Reader thread only.
 *
 * <p>Before each reply, {@code beforeReply} runs: it answers the SENDs batched so far, so that
 * replies keep the order of the requests.
 */
final class Replies {
    private static final int FLUSH_BYTES = 64 * 1024;

    private final Outbound out;
    private final Waits waits;
    private final long queueLimit;
    private final long waitNanos;
    private final Runnable beforeReply;
    /**
     * What is collected: the first frame alone (a read is mostly answered with one frame: an ACK, a
     * PONG), and all of them in a list once there is a second. Both are dropped at each flush, so an
     * idle connection keeps no buffer.
     */
    private byte[] first;
    private List<byte[]> frames;
    private long bytes;

    Replies(Outbound out, Waits waits, long queueLimit, long waitNanos, Runnable beforeReply) {
        this.out = out;
        this.waits = waits;
        this.queueLimit = queueLimit;
        this.waitNanos = waitNanos;
        this.beforeReply = beforeReply;
    }

    void add(ServerMessage m) {
        add(Wire.encode(m));
    }

    void error(ErrorCode code, String ref, String text) {
        add(Wire.error(code, ref, text));
    }

    /** Adds an encoded frame (never modified; may be shared). */
    void add(byte[] frame) {
        beforeReply.run();
        if (first == null) {
            first = frame;
        } else {
            if (frames == null) {
                frames = new ArrayList<>();
                frames.add(first);
            }
            frames.add(frame);
        }
        bytes += frame.length;
        if (bytes >= FLUSH_BYTES) {
            flush();
        }
    }

    /** Sends what is collected: waits (bounded) for our own queue, then one send. */
    void flush() {
        if (first == null) {
            return;
        }
        waits.awaitBelow(out, Math.max(0, queueLimit - bytes), waitNanos);
        out.sendReplies(frames == null ? List.of(first) : frames);
        first = null;
        frames = null;
        bytes = 0;
    }
}
