package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.net.internal.InputChunks;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
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
 * One connection's life: admission, the read loop, and the close ({@link CloseState}). Everything
 * here runs on the connection's reader virtual thread (on plain TCP a reader lasts as long as there
 * is input: one that finds nothing to read ends, and the transport starts the next one when input
 * arrives, so an idle connection holds no thread; one reader at a time), except {@link #terminate} and
 * {@link #slowConsumer} (any thread: they decide the close and, when the reader is idle, complete it)
 * and {@link #checkDeadlines} (the reaper).
 *
 * <p>The reader decodes everything one {@code read} returned and gives each line to the
 * {@link Dispatcher}; then it stores the SENDs of that read ({@link SendPipeline#flush}) and sends its
 * replies in one go ({@link Replies#flush}). When it stops (QUIT, end of stream, a close from
 * elsewhere) it releases the connection's presence exactly once: one {@code LEFT} per room where this
 * was the identity's last connection, then the name; then the listener is told.
 */
final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** The read buffer of a connection until a read fills it, and after. */
    private static final int SMALL_READ_BUFFER = 512;
    private static final int LARGE_READ_BUFFER = 8192;

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
    final SendPipeline sends;
    final RateLimiter limiter;
    final Deadlines deadlines;
    final CloseState close = new CloseState();
    private final Shared shared;
    private final Settings s;
    private final FrameDecoder decoder;
    private final FrameDecoder.Sink sink;
    /** The transport's input in pieces, read without waiting (plain TCP); null: blocking reads. */
    private final InputChunks chunks;
    /** Reader thread: the buffer of blocking reads, small until a read fills it. */
    private byte[] readBuffer;
    /** Reader thread: admission let the connection in (set before the first read). */
    private boolean admitted;
    /** Left with the transport by a reader that found nothing to read: starts the next reader. */
    private final Runnable startReader = this::startReader;

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
    /** Reader thread: the peer ended its stream or the connection failed. */
    private boolean inputEnded;

    Session(long id, Connection connection, Shared shared) {
        this.id = id;
        this.connection = connection;
        this.shared = shared;
        this.s = shared.settings();
        this.remote = connection.remoteAddress();
        this.transport = connection.transportName();
        this.out = new Outbound(this, connection, s.outboundQueueBytes(), shared.counters());
        this.replies = new Replies(out, s.outboundQueueBytes(), Hub.nanos(s.writeTimeout()), this::beforeReply);
        this.sends = new SendPipeline(this, s, shared.publisher(), shared.directory(), shared.users(),
                shared.access());
        this.limiter = new RateLimiter(shared.rateLimit());
        this.deadlines = new Deadlines(shared.timeouts());
        this.decoder = new FrameDecoder(s.maxLineLength());
        this.chunks = connection instanceof InputChunks c ? c : null;
        Dispatcher dispatcher = shared.dispatcher();
        this.sink = new FrameDecoder.Sink() {
            @Override
            public void frame(Frame frame) {
                dispatcher.frame(Session.this, frame);
            }

            @Override
            public void error(ProtocolException error) {
                dispatcher.decodeError(Session.this, error);
            }

            @Override
            public void emptyLine() {
                dispatcher.emptyLine(Session.this);
            }
        };
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
        boolean suspended = false;
        try {
            switch (verdict) {
                case FULL, ADDRESS_FULL -> {
                    log.info("{} refused {}: server full", this, remote);
                    terminate(DisconnectReason.SERVER_FULL, ErrorCode.SERVER_FULL, "too many connections", null);
                    return;
                }
                case FENCED -> {
                    log.info("{} refused {}: this node is fenced", this, remote);
                    terminate(DisconnectReason.SHUTDOWN, ErrorCode.SHUTTING_DOWN, "this node is not serving", null);
                    return;
                }
                default -> admitted = true;
            }
            log.debug("{} connected from {} over {}", this, remote, transport);
            suspended = readLoop();
        } catch (RuntimeException | Error e) {
            readerFailed(e);
        } finally {
            if (!suspended) {
                finish();
            }
        }
    }

    /**
     * A new reader thread for a connection whose reader left with nothing to read
     * ({@link InputChunks}): started by the transport when input, its end or the close arrived.
     */
    private void resume() {
        boolean suspended = false;
        try {
            suspended = readLoop();
        } catch (RuntimeException | Error e) {
            readerFailed(e);
        } finally {
            if (!suspended) {
                finish();
            }
        }
    }

    private void startReader() {
        Thread.ofVirtual().name("parley-c" + id).start(this::resume);
    }

    private void readerFailed(Throwable e) {
        log.warn("{} reader failed", this, e);
        if (close.abort(DisconnectReason.ERROR) == CloseState.Outcome.CALLER_COMPLETES) {
            shared.counters().disconnected(transport, DisconnectReason.ERROR);
        }
    }

    /**
     * Reads and handles input until the connection closes (returns false: the caller finishes), or,
     * on a transport with {@link InputChunks}, until nothing is left to read (returns true: this
     * thread ends, and the transport starts a new reader when there is input again).
     */
    private boolean readLoop() {
        while (close.isOpen()) {
            byte[] input;
            int n;
            try {
                if (chunks != null) {
                    input = chunks.takeOrCallBack(startReader);
                    if (input == InputChunks.NOTHING) {
                        return true;
                    }
                    n = input == null ? -1 : input.length;
                } else {
                    // Small while the peer is quiet (most connections are idle: this is per
                    // connection), grown once a read fills it, so a busy sender is read in large gulps.
                    if (readBuffer == null) {
                        readBuffer = new byte[SMALL_READ_BUFFER];
                    }
                    input = readBuffer;
                    n = connection.read(input, 0, input.length);
                    if (n == input.length && input.length < LARGE_READ_BUFFER) {
                        readBuffer = new byte[LARGE_READ_BUFFER];
                    }
                }
            } catch (IOException e) {
                log.debug("{} read ended: {}", this, e.toString());
                inputEnded = true;
                return false;
            }
            if (n < 0) {
                log.debug("{} peer closed the connection", this);
                inputEnded = true;
                return false;
            }
            if (n > 0 && !handle(input, n)) {
                return false;
            }
        }
        return false;
    }

    /** Decodes and handles one read's bytes; false if the connection is closing and reads no more. */
    private boolean handle(byte[] input, int n) {
        shared.counters().bytesIn(n);
        if (!close.beginRead()) {
            return false;
        }
        CloseState.Deferred deferred;
        try {
            decoder.decode(input, 0, n, sink);
            if (decoder.discarded() > s.maxDiscardedLine()) {
                // The line had its one LINE_TOO_LONG when it passed max-line: only BYE now.
                terminate(DisconnectReason.LINE_TOO_LONG, null, null, null);
            }
        } finally {
            sends.flush();
            replies.flush();
            deferred = close.endRead();
        }
        if (deferred != null) {
            completeClose(deferred.reason(), deferred.lastFrames());
        }
        return true;
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
        if (!out.awaitFinished(Hub.nanos(s.drainTimeout())) && !inputEnded) {
            linger();
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

    private void linger() {
        deadlines.closing(Hub.nanos(s.drainTimeout()));
        byte[] sink = new byte[4096];
        try {
            while (connection.read(sink, 0, sink.length) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // closed by the reaper at the deadline, or reset by the peer
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
    private void completeClose(DisconnectReason reason, List<byte[]> last) {
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
