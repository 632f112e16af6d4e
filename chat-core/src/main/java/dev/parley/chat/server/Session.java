package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection. Everything in this class runs in the connection's reader virtual thread, except
 * {@link #terminate}, {@link #slowConsumer} and {@link #checkDeadlines} (any thread; they only set
 * the close state and close the connection, which unblocks the reader) and {@link #out} (see
 * {@link Outbound}).
 *
 * <p>The reader decodes everything one {@code read} returned, handles each frame, then sends its
 * own replies in one go. Consecutive SENDs among those frames are stored with one store call
 * ({@link #flushSends}), so that a client with many messages in flight gets them committed together;
 * they are stored, delivered and acknowledged before anything else is answered, so replies keep the
 * order of the requests. When it stops (QUIT, end of stream, a close from elsewhere) it cleans up
 * exactly once: one {@code LEFT} per room, the name released, the listener told.
 */
final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    final long id;
    final Hub hub;
    final Connection connection;
    /** The read buffer of a connection until a read fills it, and after. */
    private static final int SMALL_READ_BUFFER = 512;
    private static final int LARGE_READ_BUFFER = 8192;
    /** The longest a sender waits for a room's recipients after one SEND (see {@link #pace}). */
    private static final long PACE_MAX_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /** At most this many SENDs are stored with one store call. */
    private static final int MAX_SEND_BATCH = 64;
    /** A recipient whose writer is blocked this long in one write has stopped reading: not paced on. */
    private static final long PACE_BLOCKED_WRITE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);

    final Outbound out;
    final SocketAddress remote;
    final String transport;
    private final Settings s;
    private final String tag;
    private final long connectedNanos = System.nanoTime();

    // Reader-thread state.
    private final FrameDecoder decoder;
    private final List<byte[]> replies = new ArrayList<>();
    private long replyBytes;
    /** SENDs checked but not yet stored; see {@link #flushSends}. */
    private final List<PendingSend> sends = new ArrayList<>();
    private boolean flushingSends;
    /**
     * Set by the reader before it publishes: whether this batch is a single SEND (no other SEND next
     * to it in its read), which is what light traffic looks like. {@link Room} then writes to more recipients
     * directly. Read by whichever thread delivers the message, so a stale value only picks the other,
     * equally correct, path.
     */
    volatile boolean loneSend;
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private double tokens;
    private long refilledNanos = System.nanoTime();
    /** Reader thread only: when the last refused frames were refused; allocated at the first refusal. */
    private long[] refusals;
    private int refusalCount;

    // Read by the reaper and the server API.
    volatile User user;
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile long pingSentNanos;
    private long pingCounter;

    // Close state.
    private final ReentrantLock state = new ReentrantLock();
    /** Guarded by state. */
    private DisconnectReason closeReason;
    /** Guarded by state: the reader is handling frames (replies not yet flushed). */
    private boolean busy;
    /** Guarded by state: final frames to queue once the reader's replies are out. */
    private List<byte[]> pendingFinal;
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicBoolean presenceReleased = new java.util.concurrent.atomic.AtomicBoolean();
    /** Reader thread: the peer ended its stream or the connection failed. */
    private boolean inputEnded;
    private volatile long closeDeadlineNanos;

    Session(long id, Hub hub, Connection connection) {
        this.id = id;
        this.hub = hub;
        this.connection = connection;
        this.s = hub.settings;
        this.tag = "[c" + id + "]";
        this.remote = connection.remoteAddress();
        this.transport = connection.transportName();
        this.out = new Outbound(this, connection, s.outboundQueueBytes(), hub.counters);
        this.decoder = new FrameDecoder(s.maxLineLength());
        this.tokens = s.rateBurst();
    }

    String tag() {
        return tag;
    }

    ConnectionInfo info() {
        User u = user;
        return new ConnectionInfo(id, u == null ? null : u.name, remote, transport);
    }

    // ---------------------------------------------------------------- reader loop

    void run() {
        ConnectionInfo first = info();
        hub.events.post(l -> l.connected(first));
        boolean admitted = false;
        try {
            if (!hub.admit(this)) {
                log.info("{} refused {}: server full", tag, remote);
                terminate(DisconnectReason.SERVER_FULL, ErrorCode.SERVER_FULL, "too many connections");
                return;
            }
            admitted = true;
            log.debug("{} connected from {} over {}", tag, remote, transport);
            readLoop();
        } catch (RuntimeException | Error e) {
            log.warn("{} reader failed", tag, e);
            terminate(DisconnectReason.ERROR, null, null);
        } finally {
            finish(admitted);
        }
    }

    private void readLoop() {
        // Small while the peer is quiet (most connections are idle: this is per connection), grown
        // once a read fills it, so that a busy sender is read in large gulps.
        byte[] buffer = new byte[SMALL_READ_BUFFER];
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override
            public void frame(Frame frame) {
                handle(frame);
            }

            @Override
            public void error(ProtocolException error) {
                decodeError(error);
            }
        };
        while (!stopping) {
            int n;
            try {
                n = connection.read(buffer, 0, buffer.length);
            } catch (IOException e) {
                log.debug("{} read ended: {}", tag, e.toString());
                inputEnded = true;
                return;
            }
            if (n < 0) {
                log.debug("{} peer closed the connection", tag);
                inputEnded = true;
                return;
            }
            if (n == 0) {
                continue;
            }
            hub.counters.bytesIn(n);
            boolean grow = n == buffer.length && buffer.length < LARGE_READ_BUFFER;
            state.lock();
            try {
                if (closeReason != null) {
                    return;
                }
                busy = true;
            } finally {
                state.unlock();
            }
            List<byte[]> last;
            try {
                decoder.decode(buffer, 0, n, sink);
                if (decoder.discarded() > s.maxDiscardedLine()) {
                    terminate(DisconnectReason.LINE_TOO_LONG, ErrorCode.LINE_TOO_LONG,
                            "line went on past " + s.maxDiscardedLine() + " bytes");
                }
            } finally {
                flushSends();
                flushReplies();
                state.lock();
                try {
                    busy = false;
                    last = pendingFinal;
                    pendingFinal = null;
                } finally {
                    state.unlock();
                }
            }
            if (last != null) {
                out.finish(last);
            }
            if (grow) {
                buffer = new byte[LARGE_READ_BUFFER];
            }
        }
    }

    /** Runs once, on the reader thread, when it stops for whatever reason. */
    private void finish(boolean admitted) {
        DisconnectReason reason;
        state.lock();
        try {
            if (closeReason == null) {
                closeReason = DisconnectReason.DISCONNECT;
                hub.counters.disconnected(transport, closeReason);
            }
            reason = closeReason;
            stopping = true;
        } finally {
            state.unlock();
        }
        if (reason == DisconnectReason.DISCONNECT || reason == DisconnectReason.ERROR) {
            out.abort();
        }
        User u = user;
        releasePresence(reason);
        // Final frames (BYE) may still be draining: give them the drain timeout. Once they are out,
        // read (and drop) until the peer closes, so the close is not a reset; the reaper's deadline
        // bounds this.
        if (!out.awaitFinished(Hub.nanos(s.drainTimeout())) && !inputEnded) {
            linger();
        }
        out.abort();
        // The hub forgets the session and queues the listener's event in one step: a listener sees
        // the connection already gone from stats(), and ChatServer.close(), which stops the event
        // thread once no session is left, cannot stop it between the two.
        ConnectionInfo info = info();
        hub.remove(this, admitted, l -> l.disconnected(info, reason));
        if (u != null) {
            log.debug("{} {} disconnected: {}", tag, Escaping.forLog(u.name, 64), reason.wireName());
        } else {
            log.debug("{} disconnected: {}", tag, reason.wireName());
        }
    }

    /**
     * Leaves every room (one {@code LEFT} each, where this was the identity's last connection) and
     * frees the name. Runs once: on the reader thread when it stops, or earlier on the thread that
     * terminated the connection while the reader was idle (it will never touch its rooms again), so
     * others learn at once that a kicked or timed-out user left.
     */
    private void releasePresence(DisconnectReason reason) {
        if (!presenceReleased.compareAndSet(false, true)) {
            return;
        }
        User u = user;
        if (u == null) {
            return;
        }
        for (Room r : rooms.values()) {
            try {
                r.leave(this, u, reason.leftReason());
            } catch (RuntimeException e) {
                log.warn("{} leaving {} failed", tag, r.name, e);
            }
        }
        rooms.clear();
        hub.unregister(this, u);
    }

    private void linger() {
        if (closeDeadlineNanos == 0) {
            closeDeadlineNanos = System.nanoTime() + Hub.nanos(s.drainTimeout());
        }
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
     * Ends the connection: {@code ERROR code} (if any) and {@code BYE reason}, queued behind what is
     * already queued, then close once written (or after the drain timeout). First reason wins.
     */
    boolean terminate(DisconnectReason reason, ErrorCode code, String text) {
        return terminate(reason, code, text, null);
    }

    /** {@link #terminate(DisconnectReason, ErrorCode, String)} for an error caused by a request with this ref. */
    boolean terminate(DisconnectReason reason, ErrorCode code, String text, String ref) {
        List<byte[]> last = finalFrames(reason, code, text, ref);
        boolean queueNow;
        state.lock();
        try {
            if (closeReason != null) {
                return false;
            }
            closeReason = reason;
            hub.counters.disconnected(transport, reason);
            stopping = true;
            closeDeadlineNanos = System.nanoTime() + Hub.nanos(s.drainTimeout());
            if (busy) {
                pendingFinal = last;
                queueNow = false;
            } else {
                queueNow = true;
            }
        } finally {
            state.unlock();
        }
        if (queueNow) {
            out.finish(last);
            // The reader is idle in read() and, seeing closeReason, will handle no more frames: its
            // rooms are final (published by the state lock), so leave them now rather than when the
            // peer closes or the drain deadline passes.
            releasePresence(reason);
        }
        return true;
    }

    private static List<byte[]> finalFrames(DisconnectReason reason, ErrorCode code, String text, String ref) {
        List<byte[]> last = new ArrayList<>(2);
        if (code != null) {
            last.add(Wire.encode(Wire.error(code, ref, text)));
        }
        if (reason != DisconnectReason.ERROR) { // "error" is a LEFT reason, not a BYE reason
            last.add(Wire.encode(Wire.bye(reason)));
        }
        return last;
    }

    /** The outbound queue overflowed or a write stalled: close now, ERROR/BYE only if it cannot block. */
    void slowConsumer(String why) {
        state.lock();
        try {
            if (closeReason != null) {
                return;
            }
            closeReason = DisconnectReason.SLOW_CONSUMER;
            hub.counters.disconnected(transport, closeReason);
            stopping = true;
        } finally {
            state.unlock();
        }
        log.info("{} slow consumer: {}", tag, why);
        out.bestEffortThenClose(finalFrames(DisconnectReason.SLOW_CONSUMER, ErrorCode.SLOW_CONSUMER, why, null));
    }

    /** Called by the reaper thread. */
    void checkDeadlines(long now) {
        long deadline = closeDeadlineNanos;
        if (deadline != 0) {
            if (now - deadline > 0) {
                out.abort();
            }
            return;
        }
        if (out.stalledNanos(now) > Hub.nanos(s.writeTimeout())) {
            slowConsumer("a write stalled for more than " + s.writeTimeout().toMillis() + " ms");
            return;
        }
        if (user == null) {
            if (now - connectedNanos > Hub.nanos(s.handshakeTimeout())) {
                terminate(DisconnectReason.TIMEOUT, ErrorCode.TIMEOUT,
                        "no HELLO within " + s.handshakeTimeout().toMillis() + " ms");
            }
            return;
        }
        long pingSent = pingSentNanos;
        if (pingSent != 0) {
            if (now - pingSent > Hub.nanos(s.pingTimeout())) {
                terminate(DisconnectReason.TIMEOUT, ErrorCode.TIMEOUT,
                        "no answer to PING within " + s.pingTimeout().toMillis() + " ms");
            }
        } else if (now - lastInboundNanos > Hub.nanos(s.pingInterval())) {
            pingSentNanos = now;
            out.send(Wire.encode(Frame.of("PING").with("token", "p" + (++pingCounter))));
        }
    }

    // ---------------------------------------------------------------- frames

    private void reply(Frame f) {
        if (!sends.isEmpty() && !flushingSends) {
            flushSends(); // earlier SENDs are answered first
        }
        byte[] bytes = Wire.encode(f);
        replies.add(bytes);
        replyBytes += bytes.length;
        if (replyBytes >= 64 * 1024) {
            flushReplies();
        }
    }

    private void flushReplies() {
        if (replies.isEmpty()) {
            return;
        }
        // Our own replies: wait for our own queue rather than count them against other senders.
        out.awaitBelow(Math.max(0, s.outboundQueueBytes() - replyBytes), Hub.nanos(s.writeTimeout()));
        out.send(new ArrayList<>(replies));
        replies.clear();
        replyBytes = 0;
    }

    private void error(ErrorCode code, String ref, String text) {
        reply(Wire.error(code, ref, text));
    }

    private void decodeError(ProtocolException e) {
        hub.counters.frameIn();
        lastInboundNanos = System.nanoTime();
        pingSentNanos = 0;
        if (stopping || !takeToken(null)) {
            return;
        }
        error(e.code(), null, e.getMessage());
    }

    private void handle(Frame f) {
        hub.counters.frameIn();
        lastInboundNanos = System.nanoTime();
        pingSentNanos = 0;
        if (stopping) {
            return;
        }
        String verb = f.verb();
        String ref = f.field("ref");
        if (!verb.equals("SEND")) {
            flushSends(); // a JOIN, PART, QUIT... acts after the SENDs before it
        }
        if (!verb.equals("PONG") && !takeToken(ref)) {
            return;
        }
        if (ref != null && (ref.isEmpty() || ref.length() > 64)) {
            error(ErrorCode.BAD_VALUE, null, "ref must be 1..64 characters");
            return;
        }
        try {
            switch (verb) {
                case "HELLO" -> hello(f, ref);
                case "PING" -> reply(Frame.of("PONG").with("token", f.field("token")).with("ref", ref));
                case "PONG" -> { }
                case "QUIT" -> terminate(DisconnectReason.QUIT, null, null);
                case "JOIN", "PART", "SEND", "HISTORY", "WHO", "ROOMS" -> {
                    if (user == null) {
                        error(ErrorCode.NOT_REGISTERED, ref, "say HELLO first");
                        return;
                    }
                    switch (verb) {
                        case "JOIN" -> join(f, ref);
                        case "PART" -> part(f, ref);
                        case "SEND" -> send(f, ref);
                        case "HISTORY" -> history(f, ref);
                        case "WHO" -> who(f, ref);
                        default -> roomList(ref);
                    }
                }
                default -> error(ErrorCode.UNKNOWN_COMMAND, ref, "unknown command " + verb);
            }
        } catch (ProtocolException e) {
            error(e.code(), ref, e.getMessage());
        } catch (StoreException e) {
            log.warn("{} store failed during {}: {}", tag, verb, e.toString());
            error(ErrorCode.STORE_UNAVAILABLE, ref, "the message store is unavailable");
        } catch (RuntimeException e) {
            log.warn("{} {} failed", tag, verb, e);
            error(ErrorCode.INTERNAL, ref, "internal error");
        }
    }

    /** The token bucket; false (after answering RATE_LIMITED, or closing a flooder) if the frame is refused. */
    private boolean takeToken(String ref) {
        long now = System.nanoTime();
        tokens = Math.min(s.rateBurst(), tokens + (now - refilledNanos) * s.ratePerSecond() / 1e9);
        refilledNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        hub.counters.rateLimited();
        if (refusals == null) {
            refusals = new long[s.floodRefusals()];
        }
        refusals[refusalCount % refusals.length] = now;
        refusalCount++;
        if (refusalCount >= refusals.length) {
            long oldest = refusals[refusalCount % refusals.length];
            if (now - oldest <= Hub.nanos(s.floodWindow())) {
                log.info("{} flooding: {} frames refused within {} ms", tag, refusals.length, s.floodWindow().toMillis());
                terminate(DisconnectReason.FLOOD, ErrorCode.RATE_LIMITED, "too many frames; disconnecting");
                return false;
            }
        }
        error(ErrorCode.RATE_LIMITED, ref != null && !ref.isEmpty() && ref.length() <= 64 ? ref : null,
                "slow down: at most " + s.ratePerSecond() + " frames per second");
        return false;
    }

    private void hello(Frame f, String ref) {
        if (user != null) {
            error(ErrorCode.ALREADY_REGISTERED, ref, "already registered");
            return;
        }
        String proto = f.field("proto");
        String name = f.field("name");
        if (proto == null || name == null) {
            error(ErrorCode.MISSING_FIELD, ref, proto == null ? "proto is required" : "name is required");
            return;
        }
        List<String> versions = Arrays.asList(proto.split(",", -1));
        if (versions.size() > 16 || versions.stream().anyMatch(v -> parseNonNegative(v) == null)) {
            error(ErrorCode.BAD_VALUE, ref, "proto must be a comma-separated list of 1 to 16 numbers");
            return;
        }
        if (versions.stream().noneMatch(v -> parseNonNegative(v) == 1)) {
            terminate(DisconnectReason.UNSUPPORTED_VERSION, ErrorCode.UNSUPPORTED_VERSION, "this server speaks proto=1", ref);
            return;
        }
        try {
            Names.canonicalUser(name);
        } catch (ProtocolException e) {
            error(ErrorCode.INVALID_NAME, ref, e.getMessage());
            return;
        }
        Authenticator.Result result;
        try {
            result = s.authenticator().authenticate(new Authenticator.Request(name, f.field("token"), remote, transport));
        } catch (RuntimeException e) {
            log.warn("{} authenticator threw", tag, e);
            error(ErrorCode.INTERNAL, ref, "authentication failed unexpectedly");
            return;
        }
        if (result == null || !result.accepted()) {
            String why = result == null ? "rejected" : result.rejection();
            log.info("{} authentication failed for {}", tag, Escaping.forLog(name, 64));
            terminate(DisconnectReason.AUTH_FAILED, ErrorCode.AUTH_FAILED, why, ref);
            return;
        }
        String accepted = result.name();
        String acceptedCanonical = Wire.canonicalUser(accepted);
        if (acceptedCanonical == null) {
            log.warn("{} authenticator returned an invalid name {}", tag, Escaping.forLog(accepted, 64));
            error(ErrorCode.INTERNAL, ref, "authenticator returned an invalid name");
            return;
        }
        User u = hub.register(this, accepted, acceptedCanonical, result.shared());
        if (u == null) {
            error(ErrorCode.NAME_TAKEN, ref, "name is taken");
            return;
        }
        user = u;
        reply(Frame.of("WELCOME").with("proto", "1").with("name", u.name).with("server", s.serverName())
                .with("max-line", s.maxLineLength()).with("max-text", s.maxTextLength()).with("ref", ref));
        ConnectionInfo info = info();
        hub.events.post(l -> l.registered(info));
        log.debug("{} registered as {}", tag, Escaping.forLog(u.name, 64));
    }

    private void join(Frame f, String ref) {
        String roomName = f.field("room");
        if (roomName == null) {
            error(ErrorCode.MISSING_FIELD, ref, "room is required");
            return;
        }
        String canonical = Names.canonicalRoom(roomName);
        Long since = null;
        if (f.has("since")) {
            since = parseNonNegative(f.field("since"));
            if (since == null) {
                error(ErrorCode.BAD_VALUE, ref, "since must be a number >= 0");
                return;
            }
        }
        if (!rooms.containsKey(canonical) && rooms.size() >= s.maxRoomsPerConnection()) {
            error(ErrorCode.TOO_MANY_ROOMS, ref, "at most " + s.maxRoomsPerConnection() + " rooms per connection");
            return;
        }
        Room room;
        long head;
        do { // a room retired meanwhile (its last member left) is replaced by a fresh one
            room = hub.room(canonical, true);
            head = room.join(this, user);
        } while (head < 0);
        rooms.put(canonical, room);
        reply(Frame.of("JOINED").with("room", canonical).with("name", user.name).with("head", head).with("ref", ref));
        try {
            replay(room, head, since);
        } catch (StoreException e) {
            log.warn("{} replay of {} failed: {}", tag, canonical, e.toString());
            error(ErrorCode.STORE_UNAVAILABLE, ref, "could not replay; use HISTORY");
        } finally {
            flushReplies();
            room.goLive(this);
        }
    }

    private void replay(Room room, long head, Long since) {
        if (head == 0) {
            return;
        }
        List<StoredMessage> messages;
        long readStart = System.nanoTime();
        if (since == null) {
            messages = hub.store.readBefore(room.key, head + 1, s.joinReplay());
        } else {
            if (since >= head) {
                return;
            }
            long from = since + 1;
            if (head - since > s.maxReplay()) {
                long to = head - s.maxReplay();
                reply(Frame.of("GAP").with("room", room.name).with("from", from).with("to", to).with("reason", "limit"));
                from = to + 1;
            }
            messages = hub.store.readAfter(room.key, from - 1, (int) (head - from + 1));
            long firstSeq = messages.isEmpty() ? head + 1 : messages.get(0).seq();
            if (firstSeq > from) {
                reply(Frame.of("GAP").with("room", room.name).with("from", from).with("to", firstSeq - 1)
                        .with("reason", "retention"));
            }
        }
        hub.counters.historyRead(ServerMetrics.Read.JOIN_REPLAY, messages.size(), System.nanoTime() - readStart);
        for (StoredMessage m : messages) {
            if (m.seq() <= head) {
                reply(room.frame(m));
            }
        }
    }

    private void part(Frame f, String ref) {
        String roomName = f.field("room");
        if (roomName == null) {
            error(ErrorCode.MISSING_FIELD, ref, "room is required");
            return;
        }
        String canonical = Wire.canonicalRoom(roomName);
        Room room = canonical == null ? null : rooms.get(canonical);
        if (room == null) {
            error(ErrorCode.NOT_IN_ROOM, ref, "not in that room");
            return;
        }
        room.leave(this, user, "part");
        rooms.remove(canonical);
        reply(Frame.of("LEFT").with("room", canonical).with("name", user.name).with("reason", "part").with("ref", ref));
    }

    private void send(Frame f, String ref) {
        String roomName = f.field("room");
        String to = f.field("to");
        String text = f.text();
        String clientId = f.field("id");
        if (roomName != null && to != null) {
            error(ErrorCode.BAD_VALUE, ref, "use either room or to, not both");
            return;
        }
        if (roomName == null && to == null) {
            error(ErrorCode.MISSING_FIELD, ref, "room or to is required");
            return;
        }
        if (text == null) {
            error(ErrorCode.MISSING_FIELD, ref, "text is required");
            return;
        }
        if (text.isEmpty()) {
            error(ErrorCode.BAD_VALUE, ref, "text is empty");
            return;
        }
        if (clientId != null && !validClientId(clientId)) {
            error(ErrorCode.BAD_VALUE, ref, "id must be 1..64 of A-Z a-z 0-9 . _ : -");
            return;
        }
        if (utf8Length(text) > s.maxTextLength()) {
            error(ErrorCode.TEXT_TOO_LONG, ref, "text is longer than " + s.maxTextLength() + " bytes");
            return;
        }
        Conversation conversation;
        String roomCanonical = null;
        User recipient = null;
        if (roomName != null) {
            roomCanonical = Names.canonicalRoom(roomName);
            conversation = rooms.get(roomCanonical);
            if (conversation == null) {
                error(ErrorCode.NOT_IN_ROOM, ref, "join the room first");
                return;
            }
        } else {
            recipient = hub.user(Wire.canonicalUser(to));
            if (recipient == null) {
                error(ErrorCode.NO_SUCH_USER, ref, "nobody by that name is connected");
                return;
            }
            conversation = hub.direct(user.canonical, recipient.canonical);
        }
        MessageFilter.Verdict verdict = s.filter().filter(
                new MessageFilter.Message(user.name, roomCanonical, recipient == null ? null : recipient.name, text));
        if (verdict == null) {
            verdict = MessageFilter.Verdict.accept();
        }
        if (verdict.rejected()) {
            error(verdict.code(), ref, verdict.reason());
            return;
        }
        if (verdict.text() != null) {
            text = verdict.text();
            if (utf8Length(text) > s.maxTextLength()) {
                error(ErrorCode.TEXT_TOO_LONG, ref, "rewritten text is longer than " + s.maxTextLength() + " bytes");
                return;
            }
        }
        NewMessage message = new NewMessage(conversation.key, user.name, text,
                s.clock().instant().truncatedTo(ChronoUnit.MILLIS), clientId);
        sends.add(new PendingSend(conversation, message, ref, roomCanonical, recipient == null ? null : recipient.name));
        if (sends.size() >= MAX_SEND_BATCH) {
            flushSends();
        }
    }

    /** A checked SEND waiting for {@link #flushSends}: {@code room} or {@code to} is what its ACK names. */
    private record PendingSend(Conversation conversation, NewMessage message, String ref, String room, String to) {
    }

    /**
     * Stores the waiting SENDs with one {@link MessageBus#publish(List, List, Session) publish} (one
     * store call, all or nothing), then acknowledges each in order and paces the sender once per room
     * (see {@link #pace}). If the store fails, each SEND gets its {@code STORE_UNAVAILABLE}: nothing was
     * stored or delivered. Runs on the reader before any other reply and after each read.
     */
    private void flushSends() {
        if (sends.isEmpty() || flushingSends) {
            return;
        }
        flushingSends = true;
        try {
            List<PendingSend> batch = List.copyOf(sends);
            sends.clear();
            List<Conversation> conversations = new ArrayList<>(batch.size());
            List<NewMessage> messages = new ArrayList<>(batch.size());
            for (PendingSend p : batch) {
                conversations.add(p.conversation());
                messages.add(p.message());
            }
            List<AppendResult> results;
            loneSend = batch.size() == 1;
            try {
                results = hub.bus.publish(conversations, messages, this);
            } catch (StoreException e) {
                log.warn("{} store failed for {} SEND(s): {}", tag, batch.size(), e.toString());
                for (PendingSend p : batch) {
                    error(ErrorCode.STORE_UNAVAILABLE, p.ref(), "the message store is unavailable");
                }
                return;
            } catch (RuntimeException e) {
                log.warn("{} storing {} SEND(s) failed", tag, batch.size(), e);
                for (PendingSend p : batch) {
                    error(ErrorCode.INTERNAL, p.ref(), "internal error");
                }
                return;
            }
            Set<Room> paced = new LinkedHashSet<>();
            for (int i = 0; i < batch.size(); i++) {
                PendingSend p = batch.get(i);
                StoredMessage stored = results.get(i).message();
                Frame ack = Frame.of("ACK").with("ref", p.ref());
                ack = p.room() != null ? ack.with("room", p.room()) : ack.with("to", p.to());
                reply(ack.with("seq", stored.seq()).with("time", Wire.time(stored.time()))
                        .with("id", p.message().clientId()));
                if (p.conversation() instanceof Room room) {
                    paced.add(room);
                }
            }
            for (Room room : paced) {
                pace(room);
            }
        } finally {
            flushingSends = false;
        }
    }

    /**
     * Back-pressure on a sender when the server falls behind on a room: this reader waits (at most
     * {@link #PACE_MAX_NANOS}) until recipients whose queues passed a quarter of the outbound limit
     * have drained below it, so that a sender cannot queue faster than the writers deliver and push
     * readers that do keep up over the slow-consumer limit. A recipient whose writer is blocked (a peer
     * that stopped reading) is left out: it never slows anyone and is closed as a slow consumer.
     * Runs on this session's reader after its ACK, holding no lock.
     */
    private void pace(Room room) {
        long highWater = s.outboundQueueBytes() / 4;
        List<Outbound> behind = room.congested(this, highWater, PACE_BLOCKED_WRITE_NANOS);
        if (behind.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + PACE_MAX_NANOS;
        for (Outbound o : behind) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            o.awaitBelow(highWater, left);
        }
    }

    private void history(Frame f, String ref) {
        String roomName = f.field("room");
        String with = f.field("with");
        if (roomName != null && with != null) {
            error(ErrorCode.BAD_VALUE, ref, "use either room or with, not both");
            return;
        }
        if (roomName == null && with == null) {
            error(ErrorCode.MISSING_FIELD, ref, "room or with is required");
            return;
        }
        if (f.has("before") && f.has("after")) {
            error(ErrorCode.BAD_VALUE, ref, "use either before or after, not both");
            return;
        }
        Long before = f.has("before") ? parseNonNegative(f.field("before")) : null;
        Long after = f.has("after") ? parseNonNegative(f.field("after")) : null;
        if ((f.has("before") && before == null) || (f.has("after") && after == null)) {
            error(ErrorCode.BAD_VALUE, ref, "before and after must be numbers >= 0");
            return;
        }
        int limit = 50;
        if (f.has("limit")) {
            String v = f.field("limit");
            // A huge limit is clamped, never refused: more than 18 digits counts as "very large".
            Long l = v.length() > 18 && v.chars().allMatch(c -> c >= '0' && c <= '9') && v.chars().anyMatch(c -> c != '0')
                    ? Long.valueOf(Long.MAX_VALUE) : parsePositive(v);
            if (l == null) {
                error(ErrorCode.BAD_VALUE, ref, "limit must be a number >= 1");
                return;
            }
            limit = (int) Math.min(l, s.maxHistoryLimit());
        }
        limit = Math.min(limit, s.maxHistoryLimit());
        String key;
        Room room = null;
        String otherName = null;
        if (roomName != null) {
            String canonical = Wire.canonicalRoom(roomName);
            room = canonical == null ? null : rooms.get(canonical);
            if (room == null) {
                error(ErrorCode.NOT_IN_ROOM, ref, "join the room first");
                return;
            }
            key = room.key;
        } else {
            String other = Wire.canonicalUser(with);
            if (other == null) {
                reply(Frame.of("END").with("ref", ref).with("count", 0).with("more", 0));
                return;
            }
            User online = hub.user(other);
            otherName = online != null ? online.name : with;
            key = Conversations.direct(user.canonical, other);
        }
        List<StoredMessage> messages;
        boolean more;
        long readStart = System.nanoTime();
        if (after != null) {
            messages = hub.store.readAfter(key, after, limit + 1);
            more = messages.size() > limit;
            if (more) {
                messages = messages.subList(0, limit);
            }
        } else {
            messages = hub.store.readBefore(key, before != null ? before : Long.MAX_VALUE, limit + 1);
            more = messages.size() > limit;
            if (more) {
                messages = messages.subList(messages.size() - limit, messages.size());
            }
        }
        hub.counters.historyRead(ServerMetrics.Read.HISTORY, messages.size(), System.nanoTime() - readStart);
        messages = new ArrayList<>(messages);
        messages.sort(Comparator.comparingLong(StoredMessage::seq));
        for (StoredMessage m : messages) {
            Frame msg = room != null
                    ? Frame.of("MSG").with("room", room.name)
                    : Frame.of("MSG").with("with", otherName);
            reply(msg.with("seq", m.seq()).with("from", m.sender()).with("time", Wire.time(m.time()))
                    .with("ref", ref).text(m.text()));
        }
        reply(Frame.of("END").with("ref", ref).with("count", messages.size()).with("more", more ? 1 : 0));
    }

    private void who(Frame f, String ref) {
        String roomName = f.field("room");
        if (roomName == null) {
            error(ErrorCode.MISSING_FIELD, ref, "room is required");
            return;
        }
        String canonical = Wire.canonicalRoom(roomName);
        Room room = canonical == null ? null : hub.room(canonical, false);
        if (room == null) {
            error(ErrorCode.NO_SUCH_ROOM, ref, "no such room");
            return;
        }
        List<String> names = room.memberNames();
        for (String n : names) {
            reply(Frame.of("MEMBER").with("room", canonical).with("name", n).with("ref", ref));
        }
        reply(Frame.of("END").with("ref", ref).with("count", names.size()).with("more", 0));
    }

    private void roomList(String ref) {
        List<Room> all = hub.rooms();
        all.sort(Comparator.comparing(r -> r.name));
        for (Room r : all) {
            reply(Frame.of("ROOM").with("name", r.name).with("members", r.memberCount()).with("ref", ref));
        }
        reply(Frame.of("END").with("ref", ref).with("count", all.size()).with("more", 0));
    }

    // ---------------------------------------------------------------- helpers

    private static Long parseNonNegative(String v) {
        if (v == null || v.isEmpty() || v.length() > 18) {
            return null;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Long.parseLong(v);
    }

    private static Long parsePositive(String v) {
        Long n = parseNonNegative(v);
        return n == null || n < 1 ? null : n;
    }

    static boolean validClientId(String id) {
        if (id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
