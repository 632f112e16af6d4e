package dev.parley.chat.server;

import dev.parley.chat.net.internal.Poller;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.transport.Connection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's life: admission, the reading ({@link Reader}), and the close ({@link CloseState}).
 * Everything here runs on the connection's reader virtual thread (on plain TCP a reader lasts as long
 * as there is input: one that finds nothing to read ends, and the transport starts the next one when
 * input arrives, so an idle connection holds no thread; one reader at a time), except
 * {@link #terminate} and {@link #slowConsumer} (any thread: they decide the close and, when the reader
 * is idle, complete it) and {@link #checkDeadlines} (the reaper).
 *
 * <p>When the reader stops (QUIT, end of stream, a close from elsewhere) it releases the connection's
 * presence exactly once: one {@code LEFT} per room where this was the identity's last connection, then
 * the name; then the listener is told.
 */
final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /** What every connection of one server shares. */
    record Shared(Settings settings, Counters counters, Events events, Ticker ticker, Admission admission,
            Users users, Dispatcher dispatcher, Publisher publisher, RoomDirectory directory, AccessRules access,
            RateLimiter.Policy rateLimit, Deadlines.Timeouts timeouts) {
        Shared(Settings settings, Counters counters, Events events, Ticker ticker, Admission admission, Users users,
                Dispatcher dispatcher, Publisher publisher, RoomDirectory directory, AccessRules access) {
            this(settings, counters, events, ticker, admission, users, dispatcher, publisher, directory, access,
                    new RateLimiter.Policy(ticker, settings.ratePerSecond(), settings.rateBurst(),
                            settings.floodRefusals(), Hub.nanos(settings.floodWindow())),
                    new Deadlines.Timeouts(ticker, settings));
        }
    }

    final long id;
    final Connection connection;
    final SocketAddress remote;
    final String transport;
    final Outbound out;
    final Replies replies;
    /** The reader's back-pressure waits, which a run on the polling thread owes to a reader thread. */
    final Waits waits = new Waits();
    final SendPipeline sends;
    final RateLimiter limiter;
    final Deadlines deadlines;
    final CloseState close = new CloseState();
    private final Shared shared;
    private final Settings s;
    private final Reader reader;
    /** Reader thread: admission let the connection in (set before the first read). */
    private boolean admitted;

    /** Set once by HELLO on the reader; read by others (delivery, the reaper, the server API). */
    volatile User user;
    /**
     * Reader thread: the rooms this connection is in. Read by a thread that completes a close while
     * the reader is idle, after {@link CloseState} published it.
     */
    final Map<String, Room> rooms = new LinkedHashMap<>(2); // most connections are in one room or two
    /**
     * Set by the reader before it publishes: whether this batch is a single SEND (no other SEND next
     * to it in its read), which is what light traffic looks like. {@link Room} then writes to more
     * recipients directly. Read by whichever thread delivers the message, so a stale value only picks
     * the other, equally correct, path.
     */
    volatile boolean loneSend;

    /**
     * Rooms {@link RoomAccess} took this connection out of (any thread), for the reader to forget; made
     * by the first removal (rare), so that a connection without one keeps no queue.
     */
    private volatile Queue<Room> removedRooms;
    private static final VarHandle REMOVED_ROOMS;

    static {
        try {
            REMOVED_ROOMS = MethodHandles.lookup().findVarHandle(Session.class, "removedRooms", Queue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReentrantLock presenceLock = new ReentrantLock();
    /** Guarded by presenceLock. */
    private boolean presenceReleased;

    Session(long id, Connection connection, Shared shared) {
        this.id = id;
        this.connection = connection;
        this.shared = shared;
        this.s = shared.settings();
        this.remote = connection.remoteAddress();
        this.transport = connection.transportName();
        this.out = new Outbound(this, connection, s.outboundQueueBytes(), shared.counters());
        this.replies = new Replies(out, waits, s.outboundQueueBytes(), Hub.nanos(s.writeTimeout()), this::beforeReply);
        this.sends = new SendPipeline(this, s, shared.publisher(), shared.directory(), shared.users(),
                shared.access());
        this.limiter = new RateLimiter(shared.rateLimit());
        this.deadlines = new Deadlines(shared.timeouts());
        this.reader = new Reader(this, connection, shared.dispatcher(), shared.counters(), s);
    }

    /**
     * The connection's prefix for log lines: an object whose {@code toString()} is {@code [c<id>]}, so
     * that the string is made only for a line that is really written (a per-connection string would
     * be kept for the connection's life).
     */
    Object tag() {
        return this;
    }

    @Override
    public String toString() {
        return "[c" + id + "]";
    }

    ConnectionInfo info() {
        User u = user;
        return new ConnectionInfo(id, u == null ? null : u.name, remote, transport);
    }

    /** Any thread: {@link RoomAccess} took this connection out of the room. */
    void roomRemoved(Room room) {
        Queue<Room> q = removedRooms;
        if (q == null) {
            REMOVED_ROOMS.compareAndSet(this, null, new ConcurrentLinkedQueue<Room>());
            q = removedRooms;
        }
        q.add(room);
    }

    /** Reader thread, before each request: forgets the rooms it was taken out of. */
    void forgetRemovedRooms() {
        Queue<Room> q = removedRooms;
        if (q == null) {
            return;
        }
        Room r;
        while ((r = q.poll()) != null) {
            rooms.remove(r.name, r);
        }
    }

    private void beforeReply() {
        if (sends.pending()) {
            sends.flush(); // earlier SENDs are answered first
        }
    }

    // ---------------------------------------------------------------- the reader

    /**
     * The reader's life.
     *
     * @param verdict whether the connection may stay, decided by {@link Admission} when it was accepted
     */
    void run(Admission.Verdict verdict) {
        ConnectionInfo first = info();
        shared.events().post(l -> l.connected(first));
        readOrFinish(verdict);
    }

    /**
     * Reads on for a connection whose reader left with nothing to read
     * ({@link dev.parley.chat.net.internal.InputChunks}), once input, its end or the close arrived: on
     * a new reader thread, or in place on the polling thread where nothing can block ({@link Reader}).
     */
    void resume() {
        readOrFinish(null);
    }

    /**
     * Reads until the connection closes, then finishes it; or until nothing is left to read on a
     * transport that starts the next reader itself, and then just returns. The polling thread never
     * finishes (it waits for the last frames): there a reader thread does.
     *
     * @param verdict admission's verdict on the first reader; null on the readers after it
     */
    private void readOrFinish(Admission.Verdict verdict) {
        boolean suspended = false;
        try {
            suspended = (verdict == null || admit(verdict)) && reader.readLoop();
        } catch (RuntimeException | Error e) {
            readerFailed(e);
        } finally {
            if (!suspended) {
                if (Poller.onPollerThread()) {
                    reader.startThread(this::finish);
                } else {
                    finish();
                }
            }
        }
    }

    /** Whether the connection may stay; if not, it is told why and closed. */
    private boolean admit(Admission.Verdict verdict) {
        switch (verdict) {
            case FULL, ADDRESS_FULL -> {
                log.info("{} refused {}: server full", this, remote);
                terminate(DisconnectReason.SERVER_FULL, ErrorCode.SERVER_FULL, "too many connections", null);
                return false;
            }
            case FENCED -> {
                log.info("{} refused {}: this node is fenced", this, remote);
                terminate(DisconnectReason.SHUTDOWN, ErrorCode.SHUTTING_DOWN, "this node is not serving", null);
                return false;
            }
            default -> {
                admitted = true;
                log.debug("{} connected from {} over {}", this, remote, transport);
                return true;
            }
        }
    }

    private void readerFailed(Throwable e) {
        log.warn("{} reader failed", this, e);
        if (close.abort(DisconnectReason.ERROR) == CloseState.Outcome.CALLER_COMPLETES) {
            shared.counters().disconnected(transport, DisconnectReason.ERROR);
        }
    }

    /** Runs once, on the reader thread, when it stops for whatever reason. */
    private void finish() {
        DisconnectReason ended = close.endOfInput();
        if (ended != null) {
            shared.counters().disconnected(transport, ended);
        }
        DisconnectReason reason = close.reason();
        if (reason == DisconnectReason.DISCONNECT || reason == DisconnectReason.ERROR) {
            out.abort();
        }
        User u = user;
        releasePresence(reason);
        // The last frames (BYE) may still be draining: give them the drain timeout. Once they are out,
        // read (and drop) until the peer closes, so the close is not a reset; the reaper's close
        // deadline bounds this.
        if (!out.awaitFinished(Hub.nanos(s.drainTimeout())) && !reader.inputEnded()) {
            deadlines.closing(Hub.nanos(s.drainTimeout()));
            reader.linger();
        }
        out.abort();
        close.closed();
        // Admission forgets the session and queues the listener's event in one step: a listener sees
        // the connection already gone from stats(), and ChatServer.close(), which stops the event
        // thread once no session is left, cannot stop it between the two.
        ConnectionInfo info = info();
        shared.admission().remove(this, admitted, l -> l.disconnected(info, reason));
        if (u != null) {
            log.debug("{} {} disconnected: {}", this, Escaping.forLog(u.name, 64), reason.wireName());
        } else {
            log.debug("{} disconnected: {}", this, reason.wireName());
        }
    }

    // ---------------------------------------------------------------- closing (any thread)

    /**
     * Ends the connection gracefully: its presence is released, then {@code ERROR code} (if any) and
     * {@code BYE reason} are queued behind what is already queued, and the connection closes once they
     * are written (or after the drain timeout). The first reason wins.
     *
     * @param ref the ref of the request that caused the error, or {@code null}
     * @return whether this call closed the connection (false if it was closing already)
     */
    boolean terminate(DisconnectReason reason, ErrorCode code, String text, String ref) {
        List<byte[]> last = lastFrames(reason, code, text, ref);
        CloseState.Outcome outcome = close.close(reason, last);
        if (outcome == CloseState.Outcome.ALREADY_CLOSING) {
            return false;
        }
        shared.counters().disconnected(transport, reason);
        deadlines.closing(Hub.nanos(s.drainTimeout()));
        if (outcome == CloseState.Outcome.CALLER_COMPLETES) {
            // The reader is idle in read() and, seeing the close, will handle no more frames: its rooms
            // are final (published by the close lock), so leave them now rather than when the peer
            // closes or the drain deadline passes.
            completeClose(reason, last);
        }
        return true;
    }

    /** Presence first, then the last frames: a client that read BYE finds its name free. */
    void completeClose(DisconnectReason reason, List<byte[]> last) {
        releasePresence(reason);
        out.finish(last);
        close.draining();
    }

    private static List<byte[]> lastFrames(DisconnectReason reason, ErrorCode code, String text, String ref) {
        List<byte[]> last = new ArrayList<>(2);
        if (code != null) {
            last.add(Wire.error(code, ref, text));
        }
        if (reason != DisconnectReason.ERROR) { // "error" is a LEFT reason, not a BYE reason
            last.add(Wire.bye(reason));
        }
        return last;
    }

    /**
     * The outbound queue overflowed or a write stalled: close now, ERROR/BYE only if it cannot block.
     * May be called under a room's lock: it only decides and closes; the reader releases presence.
     */
    void slowConsumer(String why) {
        if (close.abort(DisconnectReason.SLOW_CONSUMER) != CloseState.Outcome.CALLER_COMPLETES) {
            return;
        }
        shared.counters().disconnected(transport, DisconnectReason.SLOW_CONSUMER);
        deadlines.closing(Hub.nanos(s.drainTimeout()));
        log.info("{} slow consumer: {}", this, why);
        out.bestEffortThenClose(lastFrames(DisconnectReason.SLOW_CONSUMER, ErrorCode.SLOW_CONSUMER, why, null));
    }

    /**
     * Leaves every room (one {@code LEFT} each, where this was the identity's last connection) and
     * frees the name, once. Runs on the reader when it stops, or earlier on the thread that completes
     * a close while the reader is idle; a second caller waits until the first is done.
     */
    private void releasePresence(DisconnectReason reason) {
        presenceLock.lock();
        try {
            if (presenceReleased) {
                return;
            }
            presenceReleased = true;
            User u = user;
            if (u == null) {
                return;
            }
            for (Room r : rooms.values()) {
                try {
                    r.leave(this, u, reason.leftReason());
                } catch (RuntimeException e) {
                    log.warn("{} leaving {} failed", this, r.name, e);
                }
            }
            rooms.clear();
            shared.users().unregister(this, u);
        } finally {
            presenceLock.unlock();
        }
    }

    // ---------------------------------------------------------------- deadlines (the reaper)

    /** Called by the reaper thread. */
    void checkDeadlines(long now) {
        switch (deadlines.check(now, user != null, out.stalledNanos(now))) {
            case CLOSE_NOW -> out.abort();
            case WRITE_STALLED -> slowConsumer("a write stalled for more than " + s.writeTimeout().toMillis() + " ms");
            case HANDSHAKE_TIMEOUT -> terminate(DisconnectReason.TIMEOUT, ErrorCode.TIMEOUT,
                    "no HELLO within " + s.handshakeTimeout().toMillis() + " ms", null);
            case PING_TIMEOUT -> terminate(DisconnectReason.TIMEOUT, ErrorCode.TIMEOUT,
                    "no answer to PING within " + s.pingTimeout().toMillis() + " ms", null);
            case PING -> out.send(Wire.encode(new dev.parley.chat.protocol.ServerMessage.Ping(deadlines.pingToken())));
            case NOTHING -> { }
        }
    }
}
