package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import java.util.Objects;

/**
 * Looks at every message a client sends before it is stored, and may let it through, rewrite its
 * text, or reject it. Called on the sender's own virtual thread (it may block; it delays only that
 * sender). Messages posted with {@link ChatServer#post} do not pass through it.
 */
@FunctionalInterface
public interface MessageFilter {

    /** Decides about one message. */
    Verdict filter(Message message);

    /** Lets everything through unchanged. */
    static MessageFilter acceptAll() {
        return Defaults.ACCEPT_ALL;
    }

    /**
     * A message about to be stored.
     *
     * @param sender the sender's name
     * @param room the room's canonical name, or {@code null} for a direct message
     * @param to the recipient of a direct message, or {@code null}
     * @param text the text
     */
    record Message(String sender, String room, String to, String text) {
    }

    /** What to do with a message. */
    final class Verdict {
        private static final Verdict ACCEPT = new Verdict(null, null, null);

        private final String text;
        private final ErrorCode code;
        private final String reason;

        private Verdict(String text, ErrorCode code, String reason) {
            this.text = text;
            this.code = code;
            this.reason = reason;
        }

        /** Store it as it is. */
        public static Verdict accept() {
            return ACCEPT;
        }

        /** Store it with this text instead (subject to the same length limit; no NUL). */
        public static Verdict rewrite(String text) {
            if (Objects.requireNonNull(text, "text").isEmpty() || text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("rewritten text must be non-empty and contain no NUL");
            }
            return new Verdict(text, null, null);
        }

        /** Refuse it: the sender gets {@code ERROR code=REJECTED} with this text. */
        public static Verdict reject(String reason) {
            return reject(ErrorCode.REJECTED, reason);
        }

        /** Refuse it with another non-closing code (e.g. {@code BAD_VALUE}). */
        public static Verdict reject(ErrorCode code, String reason) {
            Objects.requireNonNull(code, "code");
            if (code.closesConnection()) {
                throw new IllegalArgumentException("a filter may not use a closing code: " + code);
            }
            return new Verdict(null, code, Objects.requireNonNull(reason, "reason"));
        }

        /** Whether the message is refused. */
        public boolean rejected() {
            return code != null;
        }

        /** The replacement text, or {@code null} to keep the original. */
        public String text() {
            return text;
        }

        /** The error code of a rejection, or {@code null}. */
        public ErrorCode code() {
            return code;
        }

        /** The text of a rejection, or {@code null}. */
        public String reason() {
            return reason;
        }
    }
}
