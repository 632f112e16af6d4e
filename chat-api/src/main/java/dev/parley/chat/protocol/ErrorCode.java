package dev.parley.chat.protocol;

/**
 * The error codes carried by {@code ERROR code=...} frames (PROTOCOL.md, "Errors").
 *
 * <p>Each code says whether the server closes the connection after sending it. A code that does not
 * close leaves the connection and all its state (name, rooms) exactly as it was before the request.
 */
public enum ErrorCode {
    /** The line is not a frame: bad verb, bad field syntax, a duplicate field, a raw CR inside a line. */
    BAD_FRAME(false),
    /** The line is longer than the announced {@code max-line}; it was discarded. */
    LINE_TOO_LONG(false),
    /** The line is not valid UTF-8 (overlong forms, surrogates, truncated sequences). */
    INVALID_UTF8(false),
    /** The verb is well formed but not a request this server knows. */
    UNKNOWN_COMMAND(false),
    /** A field that the verb requires is absent. */
    MISSING_FIELD(false),
    /** A field is present but its value is not allowed (not a number, out of range, wrong syntax). */
    BAD_VALUE(false),
    /** Only HELLO, PING and QUIT are allowed before WELCOME. */
    NOT_REGISTERED(false),
    /** HELLO after WELCOME. */
    ALREADY_REGISTERED(false),
    /** No protocol version in common; the server closes. */
    UNSUPPORTED_VERSION(true),
    /** Another connection holds this name; the client may send HELLO again with another name. */
    NAME_TAKEN(false),
    /** The name does not follow the name syntax. */
    INVALID_NAME(false),
    /** The authenticator rejected the credentials; the server closes. */
    AUTH_FAILED(true),
    /** The room does not exist (nobody has joined it). */
    NO_SUCH_ROOM(false),
    /** The request needs membership of a room the connection has not joined. */
    NOT_IN_ROOM(false),
    /** No connected user has that name. */
    NO_SUCH_USER(false),
    /** The text is longer than the announced {@code max-text} (UTF-8 bytes); nothing was stored. */
    TEXT_TOO_LONG(false),
    /** The request was refused by the rate limit; a client that keeps flooding is disconnected. */
    RATE_LIMITED(false),
    /** The connection already holds the maximum number of rooms. */
    TOO_MANY_ROOMS(false),
    /** The message store failed; nothing was stored and nobody received the message. */
    STORE_UNAVAILABLE(false),
    /** The server holds its maximum number of connections (overall or from this address); it closes. */
    SERVER_FULL(true),
    /** The client did not read its frames fast enough; the server closes. */
    SLOW_CONSUMER(true),
    /** No HELLO within the handshake timeout, or no answer to PING; the server closes. */
    TIMEOUT(true),
    /** The server is shutting down; it closes. */
    SHUTTING_DOWN(true),
    /** An unexpected server fault; the request had no effect. */
    INTERNAL(false),
    /** A message filter rejected the message; nothing was stored. */
    REJECTED(false),
    /**
     * The server's access rules do not let this user do this in this room (or send to this user).
     * The same answer whether or not the room exists; nothing changed.
     */
    FORBIDDEN(false),
    /**
     * {@code HELLO resume=} presented a token this server cannot check, or one of another name or
     * another server secret; nothing was registered and the connection stays open: send {@code HELLO}
     * again without {@code resume=} to start as a new identity.
     */
    RESUME_REFUSED(false);

    private final boolean closesConnection;

    ErrorCode(boolean closesConnection) {
        this.closesConnection = closesConnection;
    }

    /** Whether the server closes the connection right after sending this error. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /**
     * The code with this wire name, or {@code null} for a code this version does not know
     * (a newer server may send new codes; treat them as {@link #INTERNAL}-like failures).
     */
    public static ErrorCode fromWire(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }
}
