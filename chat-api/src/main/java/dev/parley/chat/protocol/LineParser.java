package dev.parley.chat.protocol;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * One line's bytes (no CR, no LF) into a {@link Frame}: the checks of the bytes (NUL, CR, LF, then
 * UTF-8), the grammar of PROTOCOL.md (verb, {@code key=value} fields, {@code :text}), and the errors
 * for each. Each piece becomes its own string straight from the bytes, the protocol's own verbs and
 * keys a shared one. {@link FrameDecoder} finds the lines in a byte stream and hands each here.
 *
 * <p>Pure and stateless.
 */
final class LineParser {
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

    private LineParser() {
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
    static int indexOf(byte[] b, char c, int from, int to) {
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
