package dev.parley.chat.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
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

    /** The fields of every frame without any (frames are immutable, so one array serves all). */
    private static final String[] NO_FIELDS = new String[0];

    /** The size of {@link #WORDS}: a power of two, at least four times the number of words. */
    private static final int WORDS_SLOTS = 256;

    /**
     * The verbs and field keys of PROTOCOL.md, decoded to these shared strings instead of new ones for
     * every line. Any other verb or key is decoded as usual: the list only saves allocation.
     */
    private static final String[] WORDS = wordTable(
            "ACK", "BYE", "END", "ERROR", "GAP", "HELLO", "HISTORY", "JOIN", "JOINED", "LEFT", "MEMBER", "MSG",
            "PART", "PING", "PONG", "QUIT", "ROOM", "ROOMS", "SEND", "WELCOME", "WHO",
            "after", "before", "burst", "code", "count", "from", "head", "id", "limit", "max-line", "max-text",
            "members", "more", "name", "proto", "reason", "ref", "refill-us", "resume", "room", "seq", "server",
            "since", "time", "to", "token", "with");

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
            int lf = indexOf(src, '\n', i, end);
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
                frame = parse(b, from, length);
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
        return parse(bytes, length);
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

    /** Parses one line of {@code length} bytes (no CR, no LF) into a frame. */
    static Frame parse(byte[] b, int length) {
        return parse(b, 0, length);
    }

    /**
     * Parses the {@code length} bytes at {@code b[off]} (no CR, no LF) into a frame. The whole line is
     * checked first (NUL, CR, LF, then UTF-8); then each piece (verb, keys, values, text) becomes its
     * own string straight from the bytes. Every boundary of the grammar (space, '=', the ':' of the
     * text) is an ASCII byte, which never occurs inside a multi-byte UTF-8 sequence, so the pieces
     * decode exactly as the same pieces of the whole line would.
     */
    static Frame parse(byte[] b, int off, int length) {
        boolean ascii = true;
        for (int i = off, end = off + length; i < end; i++) {
            byte c = b[i];
            if (c > '\r') {
                continue; // 0x0e-0x7f, nothing to check: the common case costs one test (bytes are signed)
            }
            if (c == 0) {
                throw new ProtocolException(ErrorCode.BAD_FRAME, "NUL byte in line");
            }
            if (c == '\r') {
                throw new ProtocolException(ErrorCode.BAD_FRAME, "CR inside a line (only CR LF ends a line)");
            }
            if (c == '\n') {
                throw new ProtocolException(ErrorCode.BAD_FRAME, "LF inside a line");
            }
            if (c < 0) {
                ascii = false;
            }
        }
        if (!ascii) {
            int bad = invalidUtf8At(b, off, length);
            if (bad >= 0) {
                throw new ProtocolException(ErrorCode.INVALID_UTF8, "line is not valid UTF-8 (at byte " + bad + ")");
            }
        }
        // ISO-8859-1 turns ASCII bytes into a compact string in one copy, as UTF-8 would after a scan.
        Charset cs = ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        int n = off + length;
        int sp = indexOf(b, ' ', off, n);
        int verbEnd = sp < 0 ? n : sp;
        if (!Syntax.isVerb(b, off, verbEnd)) {
            throw new ProtocolException(ErrorCode.BAD_FRAME, "verb must be capital letters, digits or '_' (at most 32): "
                    + Escaping.forLog(new String(b, off, verbEnd - off, cs), 40));
        }
        String verb = word(b, off, verbEnd);
        if (sp < 0) {
            return Frame.trusted(verb, NO_FIELDS, null);
        }
        int fieldCount = countFields(b, sp, n);
        String[] fields = fieldCount == 0 ? NO_FIELDS : new String[2 * fieldCount];
        int count = 0;
        String text = null;
        int i = sp;
        while (i < n) {
            if (b[i] == ' ') {
                i++;
                continue;
            }
            if (b[i] == ':') {
                text = Escaping.unescape(new String(b, i + 1, n - i - 1, cs)); // this very string if it has no escapes
                break;
            }
            int end = i;
            int eq = -1;
            while (end < n && b[end] != ' ') {
                if (eq < 0 && b[end] == '=') {
                    eq = end;
                }
                end++;
            }
            if (eq < 0) {
                throw new ProtocolException(ErrorCode.BAD_FRAME,
                        "field without '=': " + Escaping.forLog(new String(b, i, end - i, cs), 40));
            }
            if (!Syntax.isKey(b, i, eq)) {
                throw new ProtocolException(ErrorCode.BAD_FRAME, "field key must be lower-case letters, digits or '-' (at most 32): "
                        + Escaping.forLog(new String(b, i, eq - i, cs), 40));
            }
            String key = word(b, i, eq);
            for (int k = 0; k < count; k += 2) {
                if (fields[k].equals(key)) {
                    throw new ProtocolException(ErrorCode.BAD_FRAME, "duplicate field: " + key);
                }
            }
            fields[count++] = key;
            fields[count++] = new String(b, eq + 1, end - eq - 1, cs);
            i = end;
        }
        return Frame.trusted(verb, fields, text);
    }

    /** The number of fields in {@code b[from, to)}: the words before the first one that starts with ':'. */
    private static int countFields(byte[] b, int from, int to) {
        int fields = 0;
        boolean inWord = false;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == ' ') {
                inWord = false;
            } else if (!inWord) {
                if (c == ':') {
                    break;
                }
                fields++;
                inWord = true;
            }
        }
        return fields;
    }

    /** The verb or key {@code b[from, to)}, already checked to be ASCII: the shared string if it is a known word. */
    private static String word(byte[] b, int from, int to) {
        for (int slot = slot(to - from, b[from], b[to - 1]); WORDS[slot] != null; slot = (slot + 1) & (WORDS_SLOTS - 1)) {
            String w = WORDS[slot];
            if (w.length() == to - from && isWord(w, b, from)) {
                return w;
            }
        }
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean isWord(String w, byte[] b, int from) {
        for (int i = 0; i < w.length(); i++) {
            if (w.charAt(i) != b[from + i]) {
                return false;
            }
        }
        return true;
    }

    /** Where a word of this length, first and last character starts looking in {@link #WORDS}. */
    private static int slot(int length, int first, int last) {
        return (length * 961 + first * 31 + last) & (WORDS_SLOTS - 1);
    }

    /** An open-addressing table of the words (linear probing from their {@link #slot}); mostly empty slots keep probes short. */
    private static String[] wordTable(String... words) {
        String[] table = new String[WORDS_SLOTS];
        if (words.length * 4 > table.length) {
            throw new AssertionError("too many words for the table");
        }
        for (String w : words) {
            int slot = slot(w.length(), w.charAt(0), w.charAt(w.length() - 1));
            while (table[slot] != null) {
                slot = (slot + 1) & (WORDS_SLOTS - 1);
            }
            table[slot] = w;
        }
        return table;
    }

    /** The index of the first {@code c} in {@code b[from, to)}, or -1. */
    private static int indexOf(byte[] b, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The offset of the first byte that starts an ill-formed UTF-8 sequence (RFC 3629: no overlong
     * forms, no surrogates, nothing above U+10FFFF, no truncated or stray continuation bytes), or -1.
     */
    static int invalidUtf8At(byte[] b, int length) {
        return invalidUtf8At(b, 0, length);
    }

    /** {@link #invalidUtf8At(byte[], int)} for the {@code length} bytes at {@code b[off]}; the offset returned is from {@code off}. */
    static int invalidUtf8At(byte[] b, int off, int length) {
        int i = 0;
        while (i < length) {
            int c = b[off + i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                more = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                more = 2;
                if (c == 0xe0) {
                    lo = 0xa0;
                } else if (c == 0xed) {
                    hi = 0x9f;
                }
            } else if (c >= 0xf0 && c <= 0xf4) {
                more = 3;
                if (c == 0xf0) {
                    lo = 0x90;
                } else if (c == 0xf4) {
                    hi = 0x8f;
                }
            } else {
                return i;
            }
            if (i + more >= length) {
                return i;
            }
            int c1 = b[off + i + 1] & 0xff;
            if (c1 < lo || c1 > hi) {
                return i;
            }
            for (int k = 2; k <= more; k++) {
                int ck = b[off + i + k] & 0xff;
                if (ck < 0x80 || ck > 0xbf) {
                    return i;
                }
            }
            i += more + 1;
        }
        return -1;
    }
}
