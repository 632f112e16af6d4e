package dev.parley.chat.protocol;

/**
 * Turns a {@link Frame} into its wire bytes: one UTF-8 line ended by LF, fields in order, text escapes
 * applied ({@code \\}, {@code \n}, {@code \r}). Stateless and thread safe.
 *
 * <p>{@link #encode} measures the line first and then writes it straight into one exactly sized
 * array: one allocation, no intermediate {@code String}. Encode a broadcast once and share the array
 * among all recipients: nothing here or in the server ever writes into it after it is returned.
 *
 * <p>The frames a server sends for every message ({@code MSG}, {@code ACK}) skip the {@code Frame}:
 * {@link ServerMessage#encode()} writes them with the same UTF-8 and escaping code (see
 * {@code LineWriter}), into the same bytes.
 *
 * <p>A lone surrogate in a value or the text (which no decoder can produce) is written as {@code ?},
 * as {@link String#getBytes(java.nio.charset.Charset)} does.
 */
public final class FrameEncoder {
    private FrameEncoder() {
    }

    /** The frame's wire bytes, LF included. */
    public static byte[] encode(Frame frame) {
        String text = frame.text();
        int fields = frame.fieldCount();
        int n = encodedLength(frame);
        byte[] out = new byte[n];
        int p = ascii(frame.verb(), out, 0);
        for (int i = 0; i < fields; i++) {
            out[p++] = ' ';
            p = ascii(frame.key(i), out, p);
            out[p++] = '=';
            p = utf8(frame.value(i), false, out, p);
        }
        if (text != null) {
            out[p++] = ' ';
            out[p++] = ':';
            p = utf8(text, true, out, p);
        }
        out[p++] = '\n';
        assert p == n;
        return out;
    }

    /** The number of bytes {@link #encode} returns for this frame, LF included. */
    public static int encodedLength(Frame frame) {
        int n = frame.verb().length() + 1;
        for (int i = 0; i < frame.fieldCount(); i++) {
            n += 2 + frame.key(i).length() + utf8Length(frame.value(i), false);
        }
        if (frame.text() != null) {
            n += 2 + utf8Length(frame.text(), true);
        }
        return n;
    }

    /**
     * The length in UTF-8 bytes of a text as it is, before escaping: what {@code max-text} counts
     * (PROTOCOL.md, "Limits"). A lone surrogate, which the encoder writes as {@code ?}, counts one.
     */
    public static int utf8Length(String text) {
        return utf8Length(text, false);
    }

    /** The frame's wire line, without the LF. */
    public static String toLine(Frame frame) {
        StringBuilder sb = new StringBuilder(64 + (frame.text() == null ? 0 : frame.text().length()));
        sb.append(frame.verb());
        for (int i = 0; i < frame.fieldCount(); i++) {
            sb.append(' ').append(frame.key(i)).append('=').append(frame.value(i));
        }
        if (frame.text() != null) {
            sb.append(" :");
            Escaping.escapeTo(frame.text(), sb);
        }
        return sb.toString();
    }

    /** Writes an ASCII string (a verb, a key) byte by byte. */
    static int ascii(String s, byte[] out, int p) {
        for (int i = 0; i < s.length(); i++) {
            out[p++] = (byte) s.charAt(i);
        }
        return p;
    }

    /** UTF-8 length of {@code s}, with backslash, LF and CR counted as two-byte escapes when {@code escape}. */
    static int utf8Length(String s, boolean escape) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (escape && (c == '\\' || c == '\n' || c == '\r')) {
                    n++;
                }
            } else if (c < 0x800) {
                n++;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 2; // two chars, four bytes
                i++;
            } else if (!Character.isSurrogate(c)) {
                n += 2;
            }
            // a lone surrogate becomes '?': one byte for one char
        }
        return n;
    }

    /** Writes {@code s} as UTF-8 (escaped when {@code escape}) from {@code p}; returns the end. */
    static int utf8(String s, boolean escape, byte[] out, int p) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (escape && c == '\\') {
                    out[p++] = '\\';
                    out[p++] = '\\';
                } else if (escape && c == '\n') {
                    out[p++] = '\\';
                    out[p++] = 'n';
                } else if (escape && c == '\r') {
                    out[p++] = '\\';
                    out[p++] = 'r';
                } else {
                    out[p++] = (byte) c;
                }
            } else if (c < 0x800) {
                out[p++] = (byte) (0xc0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[p++] = (byte) (0xf0 | (cp >> 18));
                out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                out[p++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                out[p++] = '?';
            } else {
                out[p++] = (byte) (0xe0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return p;
    }
}
