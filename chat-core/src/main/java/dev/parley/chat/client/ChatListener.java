package dev.parley.chat.client;

import dev.parley.chat.protocol.ProtocolException;

/**
 * What a {@link ChatSession} tells the application. Every method has an empty default; override the
 * ones you need.
 *
 * <h2>Thread</h2>
 * All callbacks of a session run on one thread owned by the session (a virtual thread that drains an
 * event queue), one at a time, in the order the server sent the frames, never on the socket reader.
 * The futures returned by {@link ChatSession} complete on that same thread, in the same order: the
 * future of {@code join} completes before the room's replayed messages reach {@link #onMessage}.
 * A callback may call any session method and attach {@code thenAccept} stages to the futures, but must
 * not <em>block</em> waiting for a future ({@code get()}, {@code join()}): that future can only
 * complete on the thread the callback is holding. An exception thrown by a callback is logged and
 * otherwise ignored.
 *
 * <h2>Exactly once</h2>
 * Across reconnects, {@link #onMessage} sees each room message once, in seq order: the session rejoins
 * with {@code since=} the last seq it delivered and drops anything it already delivered. Likewise
 * {@link #onDirectMessage} for the 32 direct conversations the session most recently saw a message or
 * an {@link Ack} in: after a reconnect it reads what it missed ({@code HISTORY with= after=}) and holds
 * newer live messages of that conversation until then. The session's own messages are answered by
 * {@link Ack}s, not delivered here.
 */
public interface ChatListener {

    /** A message in a room the session has joined (live, or replayed after a join or a reconnect). */
    default void onMessage(ChatMessage message) {
    }

    /** A direct message to or from this user ({@link ChatMessage#with()} is the other person). */
    default void onDirectMessage(ChatMessage message) {
    }

    /** Someone else joined a room the session is in. */
    default void onJoined(String room, String name) {
    }

    /**
     * Someone left a room the session is in, or the session itself was removed from it
     * ({@code name} is then the session's own name, e.g. reason {@code kicked}).
     *
     * @param reason part, quit, disconnect, timeout, kicked, slow-consumer, flood, shutdown or error
     */
    default void onLeft(String room, String name, String reason) {
    }

    /**
     * Messages {@code from..to} (inclusive) of a room were not replayed after a join, because they are
     * no longer stored or were too many; read them with {@link ChatSession#history} if needed.
     *
     * @param reason {@code retention} or {@code limit}
     */
    default void onGap(String room, long from, long to, String reason) {
    }

    /**
     * The connection to the server ended. Followed by a state change to
     * {@link ChatSession.State#RECONNECTING} or {@link ChatSession.State#CLOSED}.
     *
     * @param reason the server's {@code BYE} reason ({@code shutdown}, {@code timeout}, {@code kicked},
     *     ...), {@code quit} after {@link ChatSession#close()}, {@code closed} after
     *     {@link ChatSession#closeNow()}, or {@code disconnect} when the connection just dropped
     */
    default void onDisconnected(String reason) {
    }

    /**
     * The session is connected again after a drop: it has registered, asked to rejoin its rooms (the
     * missed messages follow through {@link #onMessage}), asked for the direct messages it missed (they
     * follow through {@link #onDirectMessage}) and resent the messages not yet acknowledged.
     */
    default void onReconnected() {
    }

    /**
     * The server gave this anonymous user a resume token (in its first {@code WELCOME}, or a new one
     * after a refused token): persist it (a secret) and pass it to
     * {@link ChatClient.Builder#resumeToken} next time to come back as the same identity, with its
     * direct messages. The session presents it by itself when it reconnects.
     */
    default void onResumeToken(String token) {
    }

    /** The session moved from one state to another. */
    default void onStateChanged(ChatSession.State from, ChatSession.State to) {
    }

    /**
     * An error from the server that answers no request of this session (for example a
     * {@code RATE_LIMITED} or {@code TIMEOUT} error), or a rejoin that failed after a reconnect.
     */
    default void onError(ProtocolException error) {
    }
}
