package dev.parley.chat.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Turns a {@link Frame} into its wire bytes: one UTF-8 line ended by LF, text escaped.
 * Stateless and thread safe. Encode a broadcast once and share the returned array among recipients:
 * nothing here or in the server ever writes into it.
 */
public final class FrameEncoder {
    private FrameEncoder() {
    }

    /** The frame's wire bytes, LF included. */
    public static byte[] encode(Frame frame) {
        return (toLine(frame) + "\n").getBytes(StandardCharsets.UTF_8);
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
}
