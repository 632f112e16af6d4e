package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.store.StoredMessage;

/**
 * How the server writes frames: every frame is a {@link ServerMessage}, encoded once into bytes that
 * may be shared by all its recipients. Also the name checks that answer "no such name" with
 * {@code null} instead of an exception.
 */
final class Wire {
    private Wire() {
    }

    static byte[] encode(ServerMessage m) {
        return m.encode();
    }

    /** The one place a MSG frame is made: a room's ({@code room}) or a direct one ({@code with}). */
    static byte[] msg(String room, String with, StoredMessage m, String ref) {
        return encode(new ServerMessage.Msg(room, with, m.seq(), m.sender(), m.time(), m.text(), ref));
    }

    static byte[] error(ErrorCode code, String ref, String text) {
        return encode(new ServerMessage.Error(code, text, ref));
    }

    static byte[] bye(DisconnectReason reason) {
        return encode(new ServerMessage.Bye(reason.wireName()));
    }

    /** The canonical form of a user name, or {@code null} if the name is not valid (see {@link Names}). */
    static String canonicalUser(String name) {
        return name != null && Names.isValidUser(name) ? Names.canonicalUser(name) : null;
    }

    /** The canonical (lower-case) room name, or {@code null} if the name is not valid. */
    static String canonicalRoom(String room) {
        return Names.isValidRoom(room) ? Names.canonicalRoom(room) : null;
    }

    /** UTF-8 bytes of a text, as {@code max-text} counts them. */
    static int utf8Length(String text) {
        return FrameEncoder.utf8Length(text);
    }
}
