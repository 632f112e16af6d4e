package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.Times;
import java.time.Instant;

/** Small protocol helpers of the server: time format, name rules, frame building. */
final class Wire {
    private Wire() {
    }

    static String time(Instant t) {
        return Times.format(t);
    }

    /** The canonical form of a user name, or {@code null} if the name is not valid (see {@link Names}). */
    static String canonicalUser(String name) {
        return name != null && Names.isValidUser(name) ? Names.canonicalUser(name) : null;
    }

    /** The canonical (lower-case) room name, or {@code null} if the name is not valid. */
    static String canonicalRoom(String room) {
        return Names.isValidRoom(room) ? Names.canonicalRoom(room) : null;
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
