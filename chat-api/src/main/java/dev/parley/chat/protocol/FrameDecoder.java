package dev.parley.chat.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a byte stream into {@link Frame}s, incrementally: bytes may arrive in any split, one at a time
 * or many frames per call. Pure: no I/O, no clock, no threads.
 *
 * <p>Rules (PROTOCOL.md, "Conventions"): a line ends at LF; one CR right before the LF is dropped;
 * empty lines carry no frame (they are reported to {@link Sink#emptyLine()}, so that a server can
 * count them toward its rate limit). A line longer than {@code maxLineLength} bytes (CR and LF not counted) is
 * reported as {@link ErrorCode#LINE_TOO_LONG} as soon as it is known to pass the limit, and its
 * remaining bytes are discarded up to the next LF: no more than {@code maxLineLength + 1} bytes (the
 * limit plus a possible CR) are ever buffered. {@link #discarded()} tells how much of an endless line
 * has been thrown away, so that a server can give up on it. Invalid UTF-8 gives
 * {@link ErrorCode#INVALID_UTF8}; NUL, a CR inside the line and malformed syntax give
 * {@link ErrorCode#BAD_FRAME}. After an error the decoder carries on with the next line.
 *
 * <p>A line that arrives whole (its first byte and its LF in one call) is parsed where it is, without
 * a copy; only a line split across calls is collected in the decoder's own buffer, which is allocated
 * the first time one is (small, growing as long lines arrive), so idle connections cost little.
 *
 * <p>Not thread safe: one decoder per connection, used by its reader.
 */
public final class FrameDecoder {
    /** Receives what the decoder finds, in stream order. */
    public interface Sink {
        /** A complete, well-formed frame. */
        void frame(Frame frame);

        /** A line that was rejected; the decoder has already moved past it. */
        void error(ProtocolException error);

        /**
         * An empty line (nothing, or only a CR, before the LF): no frame, no error. The default does
         * nothing; a server counts it toward the connection's rate limit.
         */
        default void emptyLine() {
        }
    }

    private static final int INITIAL_BUFFER = 256;

    private static final byte[] NO_LINE = new byte[0];


    private final int maxLineLength;
    /** A line split across calls is collected here; empty until the first one. */
    private byte[] line = NO_LINE;
    private int count;
    private boolean discarding;
    private long discarded;

    /**
     * A decoder for one stream.
     *
     * @param maxLineLength the largest line accepted, in bytes without CR and LF (at least 64)
     */
    public FrameDecoder(int maxLineLength) {
        if (maxLineLength < 64) {
            throw new IllegalArgumentException("maxLineLength must be at least 64, was " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
    }

    /** The largest line accepted, in bytes. */
    public int maxLineLength() {
        return maxLineLength;
    }

    /**
     * Bytes of the current over-long line thrown away so far (0 when not inside one). It counts from
     * the line's first byte and grows with every byte that arrives without an LF; it returns to 0 at
     * the LF that ends the line. A server uses it to close a connection that sends an endless line.
     */
    public long discarded() {
        return discarded;
    }

    /** Bytes of an unfinished line held right now (at most {@code maxLineLength + 1}). */
    public int buffered() {
        return count;
    }

    /** The size of the decoder's own line buffer: 0 until a line arrived split across calls. */
    int lineCapacity() {
        return line.length;
    }

    /** Decodes everything in {@code src[off, off+len)}, reporting frames and errors to the sink in order. */
    public void decode(byte[] src, int off, int len, Sink sink) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        int end = off + len;
        int i = off;
        while (i < end) {
            int lf = LineParser.indexOf(src, '\n', i, end);
            if (discarding) {
                if (lf < 0) {
                    discarded += end - i;
                    return;
                }
                discarding = false;
                discarded = 0;
                i = lf + 1;
                continue;
            }
            int stop = lf < 0 ? end : lf;
            int n = stop - i;
            if (count + n > maxLineLength + 1) {
                // Too long even if its last byte turned out to be the CR of CR LF: reject now, keep nothing.
                discarded = count + (long) n;
                count = 0;
                if (lf < 0) {
                    discarding = true;
                    sink.error(tooLong());
                    return;
                }
                discarded = 0;
                i = lf + 1;
                sink.error(tooLong());
                continue;
            }
            byte[] b;
            int from;
            int length;
            if (count == 0 && lf >= 0) {
                b = src; // the whole line is here: parse it in place
                from = i;
                length = n;
            } else {
                ensureCapacity(count + n);
                System.arraycopy(src, i, line, count, n);
                count += n;
                if (lf < 0) {
                    return;
                }
                b = line;
                from = 0;
                length = count;
                count = 0;
            }
            i = lf + 1;
            if (length > 0 && b[from + length - 1] == '\r') {
                length--;
            }
            if (length > maxLineLength) {
                sink.error(tooLong());
                continue;
            }
            if (length == 0) {
                sink.emptyLine();
                continue;
            }
            Frame frame;
            try {
                frame = LineParser.parse(b, from, length);
            } catch (ProtocolException e) {
                sink.error(e);
                continue;
            }
            sink.frame(frame);
        }
    }

    /** Decodes the remaining bytes of {@code src}, consuming them. */
    public void decode(ByteBuffer src, Sink sink) {
        if (src.hasArray()) {
            int n = src.remaining();
            int from = src.arrayOffset() + src.position();
            src.position(src.limit());
            decode(src.array(), from, n, sink);
        } else {
            byte[] copy = new byte[src.remaining()];
            src.get(copy);
            decode(copy, 0, copy.length, sink);
        }
    }

    private ProtocolException tooLong() {
        return new ProtocolException(ErrorCode.LINE_TOO_LONG, "line exceeds " + maxLineLength + " bytes");
    }

    /**
     * Decodes one complete line, given without its LF (a trailing CR is dropped). Convenient for tests
     * and for transports that already frame messages. No length limit applies.
     *
     * @throws ProtocolException if the line is not a valid frame (an empty line is
     *     {@link ErrorCode#BAD_FRAME} "empty line" here, since there is no stream to skip it in)
     */
    public static Frame parseLine(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parseLine(bytes, 0, bytes.length);
    }

    /**
     * Decodes one complete line of UTF-8 bytes {@code b[off, off+len)}, without its LF (a trailing CR
     * is dropped). No length limit applies.
     *
     * @throws ProtocolException if the line is not a valid frame
     */
    public static Frame parseLine(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        byte[] bytes = off == 0 ? b : Arrays.copyOfRange(b, off, off + len);
        int length = len;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        if (length == 0) {
            throw new ProtocolException(ErrorCode.BAD_FRAME, "empty line");
        }
        return LineParser.parse(bytes, 0, length);
    }

    /**
     * Decodes a whole input into frames, failing at the first error. For tests and tools.
     *
     * @throws ProtocolException at the first rejected line
     */
    public static List<Frame> decodeAll(byte[] input, int maxLineLength) {
        List<Frame> out = new ArrayList<>();
        new FrameDecoder(maxLineLength).decode(input, 0, input.length, new Sink() {
            @Override
            public void frame(Frame frame) {
                out.add(frame);
            }

            @Override
            public void error(ProtocolException error) {
                throw error;
            }
        });
        return out;
    }

    /** Makes room for {@code needed} bytes: at first {@value #INITIAL_BUFFER}, doubling up to {@code maxLineLength + 1}. */
    private void ensureCapacity(int needed) {
        if (needed > line.length) {
            int size = Math.max(needed, Math.min(Math.max(line.length * 2, INITIAL_BUFFER), maxLineLength + 1));
            line = Arrays.copyOf(line, size);
        }
    }
}
