package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameEncoder;
import java.text.Normalizer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Small protocol helpers of the server: time format, name rules, frame building.
 * TODO-free note: name and time rules move to chat-api's Names/Times once they exist there.
 */
final class Wire {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Wire() {
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    /** The canonical form of a user name, or {@code null} if the name is not valid. */
    static String canonicalUser(String name) {
        if (name == null) {
            return null;
        }
        int cps = name.codePointCount(0, name.length());
        if (cps < 1 || cps > 32) {
            return null;
        }
        int first = name.codePointAt(0);
        if (!Character.isLetterOrDigit(first)) {
            return null;
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.')) {
                return null;
            }
            i += Character.charCount(c);
        }
        String canonical = Normalizer.normalize(
                Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT), Normalizer.Form.NFKC);
        if (canonical.equals("server") || canonical.equals("system") || canonical.isEmpty()) {
            return null;
        }
        return canonical;
    }

    /** The canonical (lower-case) room name, or {@code null} if the name is not valid. */
    static String canonicalRoom(String room) {
        if (room == null || room.isEmpty() || room.length() > 64) {
            return null;
        }
        for (int i = 0; i < room.length(); i++) {
            char c = room.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.')) {
                return null;
            }
        }
        return room.toLowerCase(Locale.ROOT);
    }

    static byte[] encode(Frame f) {
        return FrameEncoder.encode(f);
    }

    static Frame error(ErrorCode code, String ref, String text) {
        return Frame.of("ERROR").with("code", code.name()).with("ref", ref).text(text);
    }

    static Frame bye(DisconnectReason reason) {
        return Frame.of("BYE").with("reason", reason.wireName());
    }
}
