package dev.parley.chat.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a byte stream into {@link Frame}s, incrementally: bytes may arrive in any split, one at a time
 * or many frames per call. Pure: no I/O, no clock, no threads.
 *
 * <p>Rules (PROTOCOL.md, "Conventions"): a line ends at LF; one CR right before the LF is dropped;
 * empty lines are ignored. A line longer than {@code maxLineLength} bytes (CR and LF not counted) is
 * reported as {@link ErrorCode#LINE_TOO_LONG} as soon as it passes the limit and its remaining bytes
 * are discarded up to the next LF, so no more than {@code maxLineLength + 1} bytes are ever buffered.
 * Invalid UTF-8 gives {@link ErrorCode#INVALID_UTF8}; NUL, a CR inside the line and malformed
 * syntax give {@link ErrorCode#BAD_FRAME}. After an error the decoder carries on with the next line.
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
    }

    private final int maxLineLength;
    private final byte[] line;
    private int count;
    private boolean discarding;
    private long discarded;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /**
     * @param maxLineLength the largest line accepted, in bytes without CR and LF (at least 64)
     */
    public FrameDecoder(int maxLineLength) {
        if (maxLineLength < 64) {
            throw new IllegalArgumentException("maxLineLength must be at least 64, was " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
        this.line = new byte[maxLineLength + 1];
    }

    /** The largest line accepted, in bytes. */
    public int maxLineLength() {
        return maxLineLength;
    }

    /**
     * Bytes of the current over-long line thrown away so far (0 when not inside one). A server uses
     * it to close a connection that sends an endless line.
     */
    public long discarded() {
        return discarded;
    }

    /** Bytes of an unfinished line held right now (at most {@code maxLineLength + 1}). */
    public int buffered() {
        return count;
    }

    /** Decodes everything in {@code src[off, off+len)}. */
    public void decode(byte[] src, int off, int len, Sink sink) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int lf = indexOfLf(src, i, end);
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
                // Past the limit even if the last byte turned out to be a CR: reject now, keep nothing.
                discarded = count + n;
                count = 0;
                sink.error(new ProtocolException(ErrorCode.LINE_TOO_LONG,
                        "line exceeds " + maxLineLength + " bytes"));
                if (lf < 0) {
                    discarding = true;
                    return;
                }
                discarded = 0;
                i = lf + 1;
                continue;
            }
            System.arraycopy(src, i, line, count, n);
            count += n;
            if (lf < 0) {
                return;
            }
            i = lf + 1;
            int length = count;
            count = 0;
            if (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            if (length > maxLineLength) {
                sink.error(new ProtocolException(ErrorCode.LINE_TOO_LONG, "line exceeds " + maxLineLength + " bytes"));
                continue;
            }
            if (length == 0) {
                continue;
            }
            Frame frame;
            try {
                frame = parse(line, length);
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
            decode(src.array(), src.arrayOffset() + src.position(), src.remaining(), sink);
            src.position(src.limit());
        } else {
            byte[] copy = new byte[src.remaining()];
            src.get(copy);
            decode(copy, 0, copy.length, sink);
        }
    }

    /**
     * Decodes one complete line (no LF; a trailing CR is dropped). Convenient for tests and for
     * transports that already frame messages, such as WebSocket.
     *
     * @throws ProtocolException if the line is not a valid frame
     */
    public static Frame parseLine(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        return new FrameDecoder(Math.max(64, length)).parse(bytes, length);
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

    private static int indexOfLf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private Frame parse(byte[] b, int length) {
        boolean ascii = true;
        for (int i = 0; i < length; i++) {
            byte c = b[i];
            if (c == 0) {
                throw new ProtocolException(ErrorCode.BAD_FRAME, "NUL byte in line");
            }
            if (c == '\r') {
                throw new ProtocolException(ErrorCode.BAD_FRAME, "CR inside a line (only CR LF ends a line)");
            }
            if (c < 0) {
                ascii = false;
            }
        }
        String s;
        if (ascii) {
            s = new String(b, 0, length, StandardCharsets.ISO_8859_1);
        } else {
            try {
                CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(b, 0, length));
                s = chars.toString();
            } catch (CharacterCodingException e) {
                throw new ProtocolException(ErrorCode.INVALID_UTF8, "line is not valid UTF-8");
            }
        }
        return parse(s);
    }

    private static Frame parse(String s) {
        int n = s.length();
        int sp = s.indexOf(' ');
        String verb = sp < 0 ? s : s.substring(0, sp);
        if (!Syntax.isVerb(verb)) {
            throw new ProtocolException(ErrorCode.BAD_FRAME,
                    "verb must be capital letters, digits or '_' (at most 32): " + Escaping.forLog(verb, 40));
        }
        if (sp < 0) {
            return Frame.trusted(verb, new String[0], null);
        }
        List<String> fields = new ArrayList<>(8);
        String text = null;
        int i = sp;
        while (i < n) {
            if (s.charAt(i) == ' ') {
                i++;
                continue;
            }
            if (s.charAt(i) == ':') {
                text = Escaping.unescape(s, i + 1, n);
                break;
            }
            int end = s.indexOf(' ', i);
            if (end < 0) {
                end = n;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0 || eq >= end) {
                throw new ProtocolException(ErrorCode.BAD_FRAME,
                        "field without '=': " + Escaping.forLog(s.substring(i, end), 40));
            }
            String key = s.substring(i, eq);
            if (!Syntax.isKey(key)) {
                throw new ProtocolException(ErrorCode.BAD_FRAME,
                        "field key must be lower-case letters, digits or '-' (at most 32): " + Escaping.forLog(key, 40));
            }
            for (int k = 0; k < fields.size(); k += 2) {
                if (fields.get(k).equals(key)) {
                    throw new ProtocolException(ErrorCode.BAD_FRAME, "duplicate field: " + key);
                }
            }
            fields.add(key);
            fields.add(s.substring(eq + 1, end));
            i = end;
        }
        return Frame.trusted(verb, fields.toArray(new String[0]), text);
    }
}
