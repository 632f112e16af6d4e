package dev.parley.chat.client;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A registered connection to a chat server, made by {@link ChatClient#connect()}, that survives drops.
 *
 * <h2>Requests</h2>
 * Every request returns a {@link CompletableFuture} completed by the server's answer to it (matched by
 * the protocol's {@code ref}). When the server refuses, the future completes exceptionally with a
 * {@link dev.parley.chat.protocol.ProtocolException} whose {@code code()} is the wire error code
 * ({@code NOT_IN_ROOM}, {@code NO_SUCH_USER}, {@code TEXT_TOO_LONG}, ...). A request not answered
 * within the client's request timeout fails with {@link java.util.concurrent.TimeoutException}; a
 * request still waiting when the session closes fails with {@link ChatClientException}. Futures
 * complete on the session's event thread (see {@link ChatListener}).
 *
 * <p>Arguments are checked before anything is sent, with the protocol's own rules
 * ({@link dev.parley.chat.protocol.Names}): a room that is not a valid room name, a user that is not a
 * valid user name, or a text that is empty or contains NUL is refused with
 * {@link IllegalArgumentException}.
 *
 * <p>No request method blocks: the request is queued for the connection's one writer thread (or,
 * while reconnecting, kept for the next connection). If the server stops reading and more than 4 MiB
 * of requests pile up waiting to be written, a new request fails at once with
 * {@link ChatClientException}.
 *
 * <h2>States</h2>
 * <ul>
 *   <li>{@link State#CONNECTING}: opening the first connection (inside {@link ChatClient#connect()});
 *   <li>{@link State#OPEN}: registered; requests go to the server at once;
 *   <li>{@link State#RECONNECTING}: the connection dropped; the session waits a random backoff
 *       (exponential with full jitter), connects, registers with the same name, rejoins its rooms with
 *       {@code since=} the last seq it delivered, reads the direct messages it missed in the 32 direct
 *       conversations it was most recently active in, and resends unacknowledged messages with their
 *       original ids (the server stores each id once). Requests made meanwhile wait and are sent once
 *       the session is open again (or time out);
 *   <li>{@link State#CLOSED}: final, after {@link #close()}, {@link #closeNow()}, or a drop the session
 *       does not recover from (reconnect disabled, authentication refused).
 * </ul>
 *
 * <p>Thread safe: any thread may call any method.
 */
public interface ChatSession extends AutoCloseable {

    /** The life cycle of a session; see the class description. */
    enum State {
        /** Opening the first connection. */
        CONNECTING,
        /** Registered and connected. */
        OPEN,
        /** Connection lost; trying again with backoff. */
        RECONNECTING,
        /** Closed for good. */
        CLOSED
    }

    /** The name the server registered (as it spells it). */
    String name();

    /**
     * The resume token the server gave this anonymous user (presented again on every reconnect), or
     * {@code null} for an authenticated user or a server that gives none. A secret; see
     * {@link ChatListener#onResumeToken}.
     */
    String resumeToken();

    /** The current state. */
    State state();

    /**
     * Joins a room, or confirms membership of a room already joined. The room's recent messages (by
     * default the last 50) are then delivered to {@link ChatListener#onMessage}, followed by live ones.
     */
    CompletableFuture<Joined> join(String room);

    /**
     * Joins a room and asks for every message after {@code since}: what an application that remembers
     * the last seq it showed uses to show what was missed. A {@link ChatListener#onGap} reports messages
     * the server no longer has or would not replay.
     *
     * @param since the last seq already seen (0 for all)
     */
    CompletableFuture<Joined> join(String room, long since);

    /** Leaves a room. The session will not rejoin it after a reconnect. */
    CompletableFuture<Void> part(String room);

    /**
     * Sends a message to a joined room. It is sent with a client-generated id; if the connection drops
     * before the {@link Ack}, the session sends it again with the same id after reconnecting, and the
     * server stores and delivers it once.
     */
    CompletableFuture<Ack> send(String room, String text);

    /** Sends a direct message to a connected user, with the same resend guarantee as {@link #send}. */
    CompletableFuture<Ack> sendDirect(String to, String text);

    /** Reads stored messages of a joined room, in ascending seq order. */
    CompletableFuture<List<ChatMessage>> history(String room, History which);

    /** Reads stored direct messages between this user and {@code with}, in ascending seq order. */
    CompletableFuture<List<ChatMessage>> directHistory(String with, History which);

    /** The names of the members of a room, sorted. */
    CompletableFuture<List<String>> who(String room);

    /** The rooms of the server with their member counts, sorted by name: all of them (the session asks for one page after another). */
    CompletableFuture<List<RoomInfo>> rooms();

    /** Pings the server; completes with the round-trip time. */
    CompletableFuture<Duration> ping();

    /** The rooms this session is in (or is joining), canonical names in join order. */
    Set<String> joinedRooms();

    /**
     * The highest seq of the room delivered to the listener or acknowledged to this session, if any:
     * what an application stores to pass as {@code since} to {@link #join(String, long)} next time.
     */
    OptionalLong lastSeq(String room);

    /**
     * Closes gracefully: sends {@code QUIT}, waits for the server's {@code BYE} (at most the client's
     * close timeout), closes the connection and waits (as long again) for the listener to receive the
     * remaining events. Requests still waiting fail with {@link ChatClientException}. Idempotent.
     */
    @Override
    void close();

    /** Closes at once: no {@code QUIT}, no waiting. Requests still waiting fail. Idempotent. */
    void closeNow();
}
