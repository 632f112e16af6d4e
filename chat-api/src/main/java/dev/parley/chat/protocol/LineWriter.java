package dev.parley.chat.protocol;

import java.time.Instant;

/**
 * Writes a server frame straight into its wire bytes, without building a {@link Frame}: the encoder of
 * the frames a server sends for every message ({@link ServerMessage.Msg#encode()},
 * {@link ServerMessage.Ack#encode()}). In fan-out, building a {@code Frame} field by field (a copy of
 * the field array per field, a key check and a duplicate search each) and then encoding it was the
 * server's hottest Java code, and its garbage a good part of the collector's work (BENCHMARKS.md,
 * issue 20).
 *
 * <p>A frame's writer makes the same calls twice: first on a {@link #measuring()} writer, which adds
 * up the length and checks each value as {@link Frame#with} and {@link Frame#text} would (a value
 * without space, CR, LF or NUL, a text without NUL: one scan of strings that are short, or an
 * intrinsic {@code indexOf}), then on a writer over an array of exactly that length, which fills it.
 * Verbs and keys are the caller's constants and are not checked. The UTF-8 and escaping code is
 * {@link FrameEncoder}'s, so the bytes are those of {@code FrameEncoder.encode(message.toFrame())};
 * {@code ServerMessageEncodeTest} checks that for many messages.
 *
 * <p>Not thread safe; made and dropped within one call.
 */
final class LineWriter {
    /** The array being filled, or {@code null} while measuring. */
    private final byte[] out;
    /** The length so far (measuring) or the next position to write. */
    private int p;

    private LineWriter(byte[] out) {
        this.out = out;
    }

    /** A writer that only measures (and checks the values). */
    static LineWriter measuring() {
        return new LineWriter(null);
    }

    /** A writer that fills {@code out}, which has the length the measuring pass returned. */
    static LineWriter into(byte[] out) {
        return new LineWriter(out);
    }

    /** The verb: the first call. */
    LineWriter verb(String verb) {
        if (out == null) {
            p += verb.length();
        } else {
            p = FrameEncoder.ascii(verb, out, p);
        }
        return this;
    }

    /** {@code " key=value"}; nothing if the value is {@code null}. */
    LineWriter field(String key, String value) {
        if (value == null) {
            return this;
        }
        if (out == null) {
            if (!Syntax.isValue(value)) {
                throw new IllegalArgumentException("field " + key + " has a space, CR, LF or NUL in its value");
            }
            p += 2 + key.length() + FrameEncoder.utf8Length(value, false);
        } else {
            p = value(key, p);
            p = FrameEncoder.utf8(value, false, out, p);
        }
        return this;
    }

    /** {@code " key=123"}. */
    LineWriter field(String key, long value) {
        if (value < 0) {
            return field(key, Long.toString(value));
        }
        int digits = digits(value);
        if (out == null) {
            p += 2 + key.length() + digits;
        } else {
            p = value(key, p);
            for (int i = p + digits - 1; i >= p; i--) {
                out[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            p += digits;
        }
        return this;
    }

    /** {@code " key=2026-11-23T10:00:00.123Z"} ({@link Times#format}). */
    LineWriter time(String key, Instant time) {
        if (!Times.writable(time)) {
            return field(key, Times.format(time));
        }
        if (out == null) {
            p += 2 + key.length() + Times.LENGTH;
        } else {
            p = Times.write(time, out, value(key, p));
        }
        return this;
    }

    /** {@code " :text"} with the text escaped; nothing if the text is {@code null}. */
    LineWriter text(String text) {
        if (text == null) {
            return this;
        }
        if (out == null) {
            if (text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("text contains NUL");
            }
            p += 2 + FrameEncoder.utf8Length(text, true);
        } else {
            out[p++] = ' ';
            out[p++] = ':';
            p = FrameEncoder.utf8(text, true, out, p);
        }
        return this;
    }

    /** The LF: the last call. Returns the line's length (measuring) or the end written (= the length). */
    int end() {
        if (out != null) {
            out[p] = '\n';
        }
        return ++p;
    }

    /** Writes {@code " key="} and returns where the value starts. */
    private int value(String key, int at) {
        out[at++] = ' ';
        at = FrameEncoder.ascii(key, out, at);
        out[at++] = '=';
        return at;
    }

    private static int digits(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }
}
