package dev.parley.chat.server;

/**
 * Why a connection ended. Every connection ends with exactly one reason; it is given to
 * {@link ServerListener#disconnected} and counted in {@link ServerStats#disconnects()}.
 */
public enum DisconnectReason {
    /** The client sent {@code QUIT}. */
    QUIT("quit", "quit"),
    /** The peer closed the connection or it failed (end of stream, reset). */
    DISCONNECT("disconnect", "disconnect"),
    /** No HELLO within the handshake timeout, or no answer to the server's PING. */
    TIMEOUT("timeout", "timeout"),
    /** Removed by {@link ChatServer#kick}. */
    KICKED("kicked", "kicked"),
    /** Its outbound queue passed its byte limit or a write stalled past the write timeout. */
    SLOW_CONSUMER("slow-consumer", "slow-consumer"),
    /** It kept sending after being rate limited. */
    FLOOD("flood", "flood"),
    /** The server shut down. */
    SHUTDOWN("shutdown", "shutdown"),
    /** Refused at connect: too many connections overall or from its address. */
    SERVER_FULL("server-full", "error"),
    /** The authenticator rejected it. */
    AUTH_FAILED("auth-failed", "error"),
    /** No protocol version in common. */
    UNSUPPORTED_VERSION("unsupported-version", "error"),
    /** It sent a line that went on past the hard cap without a line feed. */
    LINE_TOO_LONG("line-too-long", "error"),
    /** An unexpected server-side failure. */
    ERROR("error", "error");

    private final String wireName;
    private final String leftReason;

    DisconnectReason(String wireName, String leftReason) {
        this.wireName = wireName;
        this.leftReason = leftReason;
    }

    /** The {@code reason=} of the {@code BYE} frame. */
    public String wireName() {
        return wireName;
    }

    /** The {@code reason=} of the {@code LEFT} notices others get for the rooms it was in. */
    public String leftReason() {
        return leftReason;
    }
}
