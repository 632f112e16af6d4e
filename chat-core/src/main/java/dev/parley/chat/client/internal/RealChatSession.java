package dev.parley.chat.client.internal;

import dev.parley.chat.client.Ack;
import dev.parley.chat.client.ChatClientException;
import dev.parley.chat.client.ChatMessage;
import dev.parley.chat.client.ChatSession;
import dev.parley.chat.client.History;
import dev.parley.chat.client.Joined;
import dev.parley.chat.client.RoomInfo;
import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChatSession} implementation: the application's side. It checks arguments, turns each
 * call into a {@link Request} and queues it, and closes. The rest is done by its parts, which share
 * one {@link SessionState} and its lock:
 *
 * <ul>
 *   <li>{@link PendingRequests}: requests by ref, each with one timer, cancelled when answered;
 *   <li>{@link Link}: per connection one reader (never writes, never calls the application), one
 *       {@link LinkWriter} with one queue, one {@link Watchdog};
 *   <li>{@link Inbound}: what each {@code ServerMessage} does, on the reader thread;
 *   <li>{@link Reconnector} and {@link ResumePlan}: backoff, HELLO, rejoins, catch-ups, resends;
 *   <li>{@link Cursors}: the last seq seen per room and per direct conversation;
 *   <li>{@link EventThread}: runs every listener callback and completes every future, in order.
 * </ul>
 * No method blocks on the network except {@link #connect} (the first handshake) and {@link #close}
 * (waiting for the server's BYE). docs/concurrency.md describes the threads.
 */
public final class RealChatSession implements ChatSession {
    private static final Logger log = LoggerFactory.getLogger(RealChatSession.class);
    /**
     * How many bytes of requests may wait for a connection's writer (queued or being written) before
     * new requests fail at once: only a server that stopped reading lets that much pile up.
     */
    static final long MAX_QUEUED_BYTES = 4 << 20;

    private final SessionState s;
    private final Reconnector reconnector;
    /** Client ids are this random prefix (unique per session) and a counter: never reused, even across runs. */
    private final String idPrefix;
    private final AtomicLong lastId = new AtomicLong();

    private RealChatSession(ClientSettings settings) {
        this.s = new SessionState(settings, "s" + Integer.toHexString(System.identityHashCode(this)));
        this.reconnector = new Reconnector(s);
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        this.idPrefix = HexFormat.of().formatHex(random) + ".";
    }

    /**
     * Opens a session: connects, registers, and returns it open.
     *
     * @throws ProtocolException if the server refuses the registration
     * @throws ChatClientException if the server cannot be reached or does not answer in time
     */
    public static ChatSession connect(ClientSettings settings) {
        RealChatSession session = new RealChatSession(settings);
        SessionState s = session.s;
        try {
            Link l = session.reconnector.dial();
            s.lock.lock();
            try {
                if (l.hasEnded()) {
                    throw new ChatClientException("connection to " + settings.server() + " closed right after WELCOME");
                }
                s.link = l;
                s.handshaking = null;
                s.setState(State.OPEN);
            } finally {
                s.lock.unlock();
            }
            log.debug("{} open as {} on {}", s.tag, Escaping.forLog(session.name(), 40), settings.server());
            return session;
        } catch (RuntimeException e) {
            s.abandon();
            throw e;
        }
    }

    // ---------------------------------------------------------------- requests

    @Override
    public String name() {
        s.lock.lock();
        try {
            return s.registration.name();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public String resumeToken() {
        s.lock.lock();
        try {
            return s.registration.resumeToken();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public State state() {
        s.lock.lock();
        try {
            return s.state;
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Joined> join(String room) {
        return join(room, -1);
    }

    @Override
    public CompletableFuture<Joined> join(String room, long since) {
        String r = canonicalRoom(room);
        return submit(Request.Kind.JOIN, r, null, since, ref -> new ClientMessage.Join(r, since >= 0 ? since : null, ref));
    }

    @Override
    public CompletableFuture<Void> part(String room) {
        String r = canonicalRoom(room);
        return submit(Request.Kind.PART, r, null, -1, ref -> new ClientMessage.Part(r, ref));
    }

    @Override
    public CompletableFuture<Ack> send(String room, String text) {
        String r = canonicalRoom(room);
        checkText(text);
        String id = idPrefix + lastId.incrementAndGet();
        return submit(Request.Kind.SEND, r, null, -1, ref -> new ClientMessage.Send(r, null, id, text, ref));
    }

    @Override
    public CompletableFuture<Ack> sendDirect(String to, String text) {
        checkUser(to);
        checkText(text);
        String id = idPrefix + lastId.incrementAndGet();
        return submit(Request.Kind.SEND, null, to, -1, ref -> new ClientMessage.Send(null, to, id, text, ref));
    }

    @Override
    public CompletableFuture<List<ChatMessage>> history(String room, History which) {
        String r = canonicalRoom(room);
        return submit(Request.Kind.HISTORY, r, null, -1, ref -> history(r, null, which, ref));
    }

    @Override
    public CompletableFuture<List<ChatMessage>> directHistory(String with, History which) {
        checkUser(with);
        return submit(Request.Kind.HISTORY, null, with, -1, ref -> history(null, with, which, ref));
    }

    @Override
    public CompletableFuture<List<String>> who(String room) {
        String r = canonicalRoom(room);
        return submit(Request.Kind.WHO, r, null, -1, ref -> new ClientMessage.Who(r, ref));
    }

    @Override
    public CompletableFuture<List<RoomInfo>> rooms() {
        return submit(Request.Kind.ROOMS, null, null, -1, ClientMessage.Rooms::new);
    }

    @Override
    public CompletableFuture<Duration> ping() {
        return submit(Request.Kind.PING, null, null, -1, ref -> new ClientMessage.Ping(null, ref));
    }

    @Override
    public Set<String> joinedRooms() {
        s.lock.lock();
        try {
            return s.cursors.roomNames();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public OptionalLong lastSeq(String room) {
        String r = canonicalRoom(room);
        s.lock.lock();
        try {
            return s.cursors.lastSeq(r);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Registers a request, starts its timer and, if the session is open, queues it for the writer;
     * otherwise it waits for the next connection. Never blocks.
     *
     * @param message builds the request's message from its ref
     */
    private <T> CompletableFuture<T> submit(Request.Kind kind, String room, String peer, long since,
            Function<String, ClientMessage> message) {
        CompletableFuture<T> future = new CompletableFuture<>();
        s.lock.lock();
        try {
            if (s.state == State.CLOSED) {
                future.completeExceptionally(new ChatClientException("session is closed"));
                return future;
            }
            Request r = Request.of(kind, s.pending.nextRef(), room, peer, future);
            r.message = message.apply(r.ref);
            if (s.state == State.OPEN && s.link != null) {
                r.sentNanos = s.timers.nanoTime();
                if (!s.link.offer(r.message, MAX_QUEUED_BYTES)) {
                    future.completeExceptionally(new ChatClientException(kind + " not sent: more than "
                            + (MAX_QUEUED_BYTES >> 20) + " MiB wait to be written (the server is not reading)"));
                    return future;
                }
            }
            if (kind == Request.Kind.JOIN) {
                s.cursors.joining(room, since);
            } else if (kind == Request.Kind.PART) {
                s.cursors.left(room);
            }
            s.pending.add(r);
        } finally {
            s.lock.unlock();
        }
        return future;
    }

    private static ClientMessage.History history(String room, String with, History which, String ref) {
        return new ClientMessage.History(room, with, which.before() > 0 ? which.before() : null,
                which.after() >= 0 ? which.after() : null, which.limit() > 0 ? which.limit() : null, ref);
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        Link l;
        s.lock.lock();
        try {
            if (s.state == State.CLOSED) {
                l = null;
            } else if (s.state != State.OPEN || s.link == null) {
                s.finishClosed("closed");
                l = null;
            } else {
                s.closing = true;
                l = s.link;
            }
        } finally {
            s.lock.unlock();
        }
        if (l != null && !closeGracefully(l)) {
            return; // interrupted
        }
        if (!s.events.isCurrent()) {
            try {
                s.events.awaitTermination(s.settings.closeTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sends QUIT, waits for the server's BYE (the end of the connection), then closes; false if interrupted. */
    private boolean closeGracefully(Link l) {
        boolean interrupted = false;
        l.send(new ClientMessage.Quit(null));
        s.events.stopThrottling();
        try {
            if (!l.awaitEnd(s.settings.closeTimeout().toNanos())) {
                log.debug("{} no BYE within {}; closing anyway", l.tag, s.settings.closeTimeout());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        s.lock.lock();
        try {
            if (s.state != State.CLOSED) {
                String reason = l.byeReason != null ? l.byeReason : "quit";
                s.events.post(() -> s.listener.onDisconnected(reason));
                s.finishClosed(reason);
            }
        } finally {
            s.lock.unlock();
        }
        l.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !interrupted;
    }

    @Override
    public void closeNow() {
        s.lock.lock();
        try {
            if (s.state == State.CLOSED) {
                return;
            }
            if (s.link != null) {
                s.events.post(() -> s.listener.onDisconnected("closed"));
            }
            s.finishClosed("closed");
        } finally {
            s.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- diagnostics

    /** Lines from the server this session could not read (logged and skipped). */
    public long unreadableLines() {
        return s.unreadable.get();
    }

    /** Timers waiting: one per unanswered request, plus the connection's watchdog. */
    public int pendingTimers() {
        return s.timers.pending();
    }

    @Override
    public String toString() {
        return "ChatSession[" + s.tag + " " + name() + " " + state() + " " + s.settings.server() + "]";
    }

    // ---------------------------------------------------------------- arguments

    private static String canonicalRoom(String room) {
        try {
            return Names.canonicalRoom(room);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("room: " + e.getMessage() + ", was " + Escaping.forLog(room, 70));
        }
    }

    private static void checkUser(String who) {
        try {
            Names.canonicalUser(who);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("not a user name (" + e.getMessage() + "): " + Escaping.forLog(who, 40));
        }
    }

    private static void checkText(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("text must not be empty");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("text must not contain NUL");
        }
    }
}
