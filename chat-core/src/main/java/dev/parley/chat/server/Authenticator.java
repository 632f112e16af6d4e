package dev.parley.chat.server;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * Decides who a connection is, from its HELLO. Called on the connection's own virtual thread, so it
 * may block (ask a database, verify a token); it delays only that connection.
 *
 * <p>The default, {@link #anonymous()}, accepts everybody under the name they ask for, with
 * unique names (a second connection asking for a taken name gets {@code NAME_TAKEN}).
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Accepts or rejects a HELLO whose name already passed the name syntax check.
     *
     * @return {@link Result#anonymous}, {@link Result#identity} or {@link Result#reject}
     */
    Result authenticate(Request request);

    /** Accepts every HELLO as an anonymous user with a unique name; ignores tokens. */
    static Authenticator anonymous() {
        return request -> Result.anonymous(request.name());
    }

    /**
     * One HELLO.
     *
     * @param name the name asked for
     * @param token the {@code token=} field, or {@code null}
     * @param remoteAddress the peer's address
     * @param transport the transport's name
     */
    record Request(String name, String token, SocketAddress remoteAddress, String transport) {
    }

    /** The decision about one HELLO. */
    final class Result {
        private final String name;
        private final boolean shared;
        private final String rejection;

        private Result(String name, boolean shared, String rejection) {
            this.name = name;
            this.shared = shared;
            this.rejection = rejection;
        }

        /**
         * Accept under {@code name}, held by this connection alone: {@code NAME_TAKEN} if any other
         * connection holds it.
         */
        public static Result anonymous(String name) {
            return new Result(Objects.requireNonNull(name, "name"), false, null);
        }

        /**
         * Accept as the authenticated identity {@code name}. Several connections of one identity
         * (phone and laptop) may be connected together: they share presence and each gets the
         * conversation. {@code NAME_TAKEN} only if an anonymous connection holds the name.
         */
        public static Result identity(String name) {
            return new Result(Objects.requireNonNull(name, "name"), true, null);
        }

        /** Reject: the client gets {@code ERROR code=AUTH_FAILED} with this text and is closed. */
        public static Result reject(String message) {
            return new Result(null, false, Objects.requireNonNull(message, "message"));
        }

        /** Whether this accepts the HELLO. */
        public boolean accepted() {
            return rejection == null;
        }

        /** The accepted name, or {@code null} for a rejection. */
        public String name() {
            return name;
        }

        /** Whether the name is an identity that several connections may share. */
        public boolean shared() {
            return shared;
        }

        /** The rejection text, or {@code null}. */
        public String rejection() {
            return rejection;
        }
    }
}
