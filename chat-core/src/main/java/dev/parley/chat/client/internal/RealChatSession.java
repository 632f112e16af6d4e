package dev.parley.chat.client.internal;

import dev.parley.chat.client.Ack;
import dev.parley.chat.client.ChatClientException;
import dev.parley.chat.client.ChatListener;
import dev.parley.chat.client.ChatMessage;
import dev.parley.chat.client.ChatSession;
import dev.parley.chat.client.History;
import dev.parley.chat.client.Joined;
import dev.parley.chat.client.RoomInfo;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChatSession} implementation.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>Application threads call the request methods: they register the request under {@link #lock}
 *       and write its frame under {@link #writeLock}.
 *   <li>One reader virtual thread per connection ({@link Link#readLoop}) decodes frames, updates the
 *       session's state under {@link #lock} and posts listener events and future completions to the
 *       {@link EventThread}, while still holding the lock, so events keep the order of the frames and
 *       of state changes. It writes only {@code PONG}.
 *   <li>One reconnect virtual thread exists while {@link State#RECONNECTING}: it waits the backoff,
 *       opens a connection, and {@link #resume resumes} (rejoin and resend) under {@link #writeLock}
 *       then {@link #lock}, so that a request made meanwhile is written after the resent ones.
 *   <li>The {@link EventThread} runs all listener callbacks and completes all futures.
 * </ul>
 * Lock order: {@link #writeLock} before {@link #lock}; nothing blocks while holding {@link #lock}.
 */
public final class RealChatSession implements ChatSession {
    private static final Logger log = LoggerFactory.getLogger(RealChatSession.class);
    /** Server lines carry up to max-text bytes of text, escaped, plus fields: 256 KiB is plenty. */
    private static final int MAX_LINE = 256 * 1024;
    /**
     * How many direct conversations are caught up after a reconnect (the most recent ones): each costs a
     * HISTORY request, and the server's default rate limit allows a burst of 100 frames, shared with
     * the rejoins and the resent messages.
     */
    private static final int MAX_CAUGHT_UP = 32;
    /** Messages per catch-up HISTORY page: the server's default max-history. */
    private static final int CATCH_UP_PAGE = 500;

    private final ClientSettings settings;
    private final ChatListener listener;
    private final Backoff backoff;
    private final EventThread events;
    private final String tag;
    /** Client ids are this random prefix (unique per session) and a counter: never reused, even across runs. */
    private final String idPrefix;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when {@link #state} changes or a connection ends during close. */
    private final Condition changed = lock.newCondition();
    /** Held while writing a frame; see the class description for the order with {@link #lock}. */
    private final ReentrantLock writeLock = new ReentrantLock();

    // Guarded by lock.
    private State state = State.CONNECTING;
    private Link link;
    private Link handshaking;
    private String name;
    private boolean closing;
    private long nextRef;
    private long nextId;
    private int linkCount;
    private final Map<String, Request> pending = new LinkedHashMap<>();
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    /**
     * The {@link #MAX_CAUGHT_UP} direct conversations this session most recently saw a message or an ACK
     * in, by the peer's canonical name, least recent first; these are caught up after a reconnect. A
     * conversation with a catch-up running is never dropped.
     */
    private final Map<String, Direct> directs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Direct> eldest) {
            return size() > MAX_CAUGHT_UP && eldest.getValue().held == null;
        }
    };

    private RealChatSession(ClientSettings settings) {
        this.settings = settings;
        this.listener = settings.listener();
        this.backoff = new Backoff(settings.reconnectBaseDelay(), settings.reconnectMaxDelay(), ThreadLocalRandom.current());
        this.tag = "s" + Integer.toHexString(System.identityHashCode(this));
        this.events = new EventThread("parley-client-events-" + tag, settings.maxQueuedEvents());
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        this.idPrefix = HexFormat.of().formatHex(random) + ".";
        this.name = settings.name();
    }

    /**
     * Opens a session: connects, registers, and returns it open.
     *
     * @throws ProtocolException if the server refuses the registration
     * @throws ChatClientException if the server cannot be reached or does not answer in time
     */
    public static ChatSession connect(ClientSettings settings) {
        RealChatSession session = new RealChatSession(settings);
        try {
            Link l = session.open();
            session.lock.lock();
            try {
                if (l.ended.getCount() == 0) {
                    throw new ChatClientException("connection to " + settings.server() + " closed right after WELCOME");
                }
                session.link = l;
                session.handshaking = null;
                session.setState(State.OPEN);
            } finally {
                session.lock.unlock();
            }
            log.debug("{} open as {} on {}", session.tag, Escaping.forLog(session.name, 40), settings.server());
            return session;
        } catch (RuntimeException e) {
            session.events.shutdown();
            throw e;
        }
    }

    // ---------------------------------------------------------------- requests

    @Override
    public String name() {
        lock.lock();
        try {
            return name;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Joined> join(String room) {
        return join(room, -1);
    }

    @Override
    public CompletableFuture<Joined> join(String room, long since) {
        String r = canonicalRoom(room);
        return submit(Kind.JOIN, r, null, since, rm -> {
            Frame f = Frame.of("JOIN").with("room", r);
            return since >= 0 ? f.with("since", since) : f;
        });
    }

    @Override
    public CompletableFuture<Void> part(String room) {
        String r = canonicalRoom(room);
        return submit(Kind.PART, r, null, -1, x -> Frame.of("PART").with("room", r));
    }

    @Override
    public CompletableFuture<Ack> send(String room, String text) {
        String r = canonicalRoom(room);
        checkText(text);
        return submit(Kind.SEND, r, null, -1, id -> Frame.of("SEND").with("room", r).with("id", id).text(text));
    }

    @Override
    public CompletableFuture<Ack> sendDirect(String to, String text) {
        checkName(to);
        checkText(text);
        return submit(Kind.SEND, null, to, -1, id -> Frame.of("SEND").with("to", to).with("id", id).text(text));
    }

    @Override
    public CompletableFuture<List<ChatMessage>> history(String room, History which) {
        String r = canonicalRoom(room);
        return submit(Kind.HISTORY, r, null, -1, x -> historyFrame(Frame.of("HISTORY").with("room", r), which));
    }

    @Override
    public CompletableFuture<List<ChatMessage>> directHistory(String with, History which) {
        checkName(with);
        return submit(Kind.HISTORY, null, with, -1, x -> historyFrame(Frame.of("HISTORY").with("with", with), which));
    }

    @Override
    public CompletableFuture<List<String>> who(String room) {
        String r = canonicalRoom(room);
        return submit(Kind.WHO, r, null, -1, x -> Frame.of("WHO").with("room", r));
    }

    @Override
    public CompletableFuture<List<RoomInfo>> rooms() {
        return submit(Kind.ROOMS, null, null, -1, x -> Frame.of("ROOMS"));
    }

    @Override
    public CompletableFuture<Duration> ping() {
        return submit(Kind.PING, null, null, -1, x -> Frame.of("PING"));
    }

    @Override
    public Set<String> joinedRooms() {
        lock.lock();
        try {
            return Collections.unmodifiableSet(new LinkedHashSet<>(rooms.keySet()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OptionalLong lastSeq(String room) {
        lock.lock();
        try {
            Room rm = rooms.get(canonicalRoom(room));
            return rm == null || rm.last < 0 ? OptionalLong.empty() : OptionalLong.of(rm.last);
        } finally {
            lock.unlock();
        }
    }

    private static Frame historyFrame(Frame f, History which) {
        if (which.before() > 0) {
            f = f.with("before", which.before());
        }
        if (which.after() >= 0) {
            f = f.with("after", which.after());
        }
        if (which.limit() > 0) {
            f = f.with("limit", which.limit());
        }
        return f;
    }

    /** Builds a request frame from the client id (for SEND) and registers, writes and times it. */
    private <T> CompletableFuture<T> submit(Kind kind, String room, String peer, long since,
            java.util.function.Function<String, Frame> frame) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Request r;
        Link l;
        lock.lock();
        try {
            if (state == State.CLOSED) {
                future.completeExceptionally(new ChatClientException("session is closed"));
                return future;
            }
            String ref = Long.toString(++nextRef);
            String id = kind == Kind.SEND ? idPrefix + (++nextId) : null;
            r = new Request(kind, ref, room, peer, future);
            r.frame = frame.apply(id).with("ref", ref);
            if (kind == Kind.JOIN) {
                Room rm = rooms.get(room);
                if (rm == null) {
                    rm = new Room(room);
                    rm.last = since;
                    rooms.put(room, rm);
                }
            } else if (kind == Kind.PART) {
                rooms.remove(room);
            }
            pending.put(ref, r);
            l = state == State.OPEN ? link : null;
        } finally {
            lock.unlock();
        }
        CompletableFuture.delayedExecutor(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .execute(() -> timedOut(r));
        if (l != null) {
            writeLock.lock();
            try {
                r.sentNanos = System.nanoTime();
                l.write(r.frame);
            } catch (IOException e) {
                // The reader sees the connection end; the request waits for the next connection.
                log.debug("{} write failed: {}", l.tag, e.toString());
            } finally {
                writeLock.unlock();
            }
        }
        return future;
    }

    private void timedOut(Request r) {
        lock.lock();
        try {
            if (pending.get(r.ref) == r) {
                pending.remove(r.ref);
                TimeoutException e = new TimeoutException(r.kind + " got no answer within "
                        + settings.requestTimeout().toMillis() + "ms (state " + state + ")");
                events.post(() -> r.future.completeExceptionally(e));
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        Link l;
        lock.lock();
        try {
            if (state == State.CLOSED) {
                l = null;
            } else if (state != State.OPEN || link == null) {
                finishClosed("closed");
                l = null;
            } else {
                closing = true;
                l = link;
            }
        } finally {
            lock.unlock();
        }
        if (l != null) {
            boolean interrupted = false;
            writeLock.lock();
            try {
                l.write(Frame.of("QUIT"));
            } catch (IOException e) {
                log.debug("{} QUIT not written: {}", l.tag, e.toString());
            } finally {
                writeLock.unlock();
            }
            events.stopThrottling();
            try {
                if (!l.ended.await(settings.closeTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    log.debug("{} no BYE within {}; closing anyway", l.tag, settings.closeTimeout());
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            lock.lock();
            try {
                if (state != State.CLOSED) {
                    String reason = l.byeReason != null ? l.byeReason : "quit";
                    events.post(() -> listener.onDisconnected(reason));
                    finishClosed(reason);
                }
            } finally {
                lock.unlock();
            }
            l.connection.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!events.isCurrent()) {
            try {
                events.awaitTermination(settings.closeTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void closeNow() {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (link != null) {
                events.post(() -> listener.onDisconnected("closed"));
            }
            finishClosed("closed");
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds the lock: final state, fail what waits, close the connection, stop the events. */
    private void finishClosed(String reason) {
        State old = state;
        state = State.CLOSED;
        Link l = link;
        link = null;
        Link h = handshaking;
        handshaking = null;
        for (Request r : pending.values()) {
            ChatClientException e = new ChatClientException(r.kind + " not answered: session closed (" + reason + ")");
            if (r.future != null) {
                events.post(() -> r.future.completeExceptionally(e));
            }
        }
        pending.clear();
        events.post(() -> listener.onStateChanged(old, State.CLOSED));
        events.shutdown();
        changed.signalAll();
        if (l != null) {
            l.connection.close();
        }
        if (h != null) {
            h.connection.close();
        }
        log.debug("{} closed ({})", tag, reason);
    }

    /** Caller holds the lock. */
    private void setState(State to) {
        State from = state;
        state = to;
        changed.signalAll();
        events.post(() -> listener.onStateChanged(from, to));
    }

    // ---------------------------------------------------------------- connecting

    /** Connects and registers; returns the link once WELCOME arrived. The link is not yet installed. */
    private Link open() {
        Connection c;
        try {
            c = settings.connector().connect();
        } catch (IOException e) {
            throw new ChatClientException("cannot reach the chat server at " + settings.server() + ": " + e.getMessage(), e);
        }
        Link l;
        lock.lock();
        try {
            l = new Link(++linkCount, c);
            if (state == State.CLOSED) {
                c.close();
                throw new ChatClientException("session is closed");
            }
            handshaking = l;
        } finally {
            lock.unlock();
        }
        l.start();
        try {
            writeLock.lock();
            try {
                l.write(Frame.of("HELLO").with("proto", "1").with("name", settings.name()).with("token", settings.token()));
            } finally {
                writeLock.unlock();
            }
            Frame welcome = l.welcome.get(settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
            String registered = welcome.field("name");
            lock.lock();
            try {
                if (registered != null) {
                    name = registered;
                }
            } finally {
                lock.unlock();
            }
            return l;
        } catch (ExecutionException e) {
            c.close();
            if (e.getCause() instanceof ProtocolException pe) {
                throw pe;
            }
            throw new ChatClientException("handshake with " + settings.server() + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            c.close();
            throw new ChatClientException("no WELCOME from " + settings.server() + " within "
                    + settings.connectTimeout().toMillis() + "ms");
        } catch (IOException e) {
            c.close();
            throw new ChatClientException("handshake with " + settings.server() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw new ChatClientException("interrupted while connecting to " + settings.server());
        }
    }

    /** The reader of {@code l} saw the end of its stream. */
    private void connectionEnded(Link l) {
        lock.lock();
        try {
            if (l != link) {
                return;
            }
            if (closing) {
                changed.signalAll();
                return;
            }
            link = null;
            String reason = l.byeReason != null ? l.byeReason
                    : l.errorReason != null ? l.errorReason
                    : l.idle ? "timeout" : "disconnect";
            log.debug("{} connection ended ({})", l.tag, reason);
            for (Iterator<Request> it = pending.values().iterator(); it.hasNext(); ) {
                Request r = it.next();
                if (r.kind == Kind.PART) {
                    // The server removed us from every room; we do not rejoin this one: it is left.
                    it.remove();
                    events.post(() -> r.future.complete(null));
                } else {
                    r.reset();
                }
            }
            events.post(() -> listener.onDisconnected(reason));
            if (!settings.reconnect() || reason.equals("auth-failed") || reason.equals("unsupported-version")) {
                finishClosed(reason);
            } else {
                setState(State.RECONNECTING);
                Thread.ofVirtual().name("parley-client-reconnect-" + tag).start(this::reconnectLoop);
            }
        } finally {
            lock.unlock();
        }
    }

    private void reconnectLoop() {
        for (int attempt = 0; ; attempt++) {
            long wait = backoff.delayNanos(attempt);
            lock.lock();
            try {
                while (state == State.RECONNECTING && wait > 0) {
                    wait = changed.awaitNanos(wait);
                }
                if (state != State.RECONNECTING) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Link l;
            try {
                l = open();
            } catch (ProtocolException e) {
                ErrorCode code = e.code();
                if (code == ErrorCode.AUTH_FAILED || code == ErrorCode.UNSUPPORTED_VERSION || code == ErrorCode.INVALID_NAME) {
                    lock.lock();
                    try {
                        if (state == State.RECONNECTING) {
                            events.post(() -> listener.onError(e));
                            finishClosed(code.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                        }
                    } finally {
                        lock.unlock();
                    }
                    return;
                }
                log.debug("{} reconnect attempt {} refused: {}", tag, attempt + 1, e.code());
                continue;
            } catch (ChatClientException e) {
                log.debug("{} reconnect attempt {} failed: {}", tag, attempt + 1, e.getMessage());
                continue;
            }
            if (resume(l)) {
                return;
            }
        }
    }

    /**
     * Installs a freshly registered connection: rejoins every room with {@code since=} the last seq
     * delivered, then resends every request still waiting (same ids), then goes {@link State#OPEN}.
     *
     * @return false if the connection already ended (try again), true otherwise
     */
    private boolean resume(Link l) {
        List<Frame> frames = new ArrayList<>();
        writeLock.lock();
        try {
            lock.lock();
            try {
                if (state != State.RECONNECTING) {
                    l.connection.close();
                    return true;
                }
                if (l.ended.getCount() == 0) {
                    return false;
                }
                link = l;
                handshaking = null;
                // A catch-up that the last connection did not finish is asked again below, from where
                // its conversation stands now.
                pending.values().removeIf(r -> r.catchUpAfter >= 0);
                Map<String, Request> joins = new LinkedHashMap<>();
                for (Request r : pending.values()) {
                    if (r.kind == Kind.JOIN) {
                        joins.put(r.room, r);
                    }
                }
                for (Room rm : rooms.values()) {
                    Request r = joins.get(rm.name);
                    if (r == null) {
                        String ref = Long.toString(++nextRef);
                        r = new Request(Kind.JOIN, ref, rm.name, null, null);
                        pending.put(ref, r);
                    }
                    Frame f = Frame.of("JOIN").with("room", rm.name);
                    if (rm.last >= 0) {
                        f = f.with("since", rm.last);
                    }
                    r.frame = f.with("ref", r.ref);
                    frames.add(r.frame);
                }
                int catchUps = 0;
                for (Direct d : directs.values()) {
                    if (d.last >= 0) {
                        if (d.held == null) {
                            d.held = new ArrayList<>();
                            d.read = -1;
                        }
                        frames.add(catchUp(d, d.last).frame);
                        catchUps++;
                    }
                }
                for (Request r : pending.values()) {
                    if (r.kind != Kind.JOIN && r.catchUpAfter < 0) {
                        r.sentNanos = System.nanoTime();
                        frames.add(r.frame);
                    }
                }
                setState(State.OPEN);
                events.post(listener::onReconnected);
                log.debug("{} reconnected on {}: rejoining {} rooms, catching up {} direct conversations, "
                        + "resending {} requests", tag, l.tag, rooms.size(), catchUps,
                        frames.size() - rooms.size() - catchUps);
            } finally {
                lock.unlock();
            }
            for (Frame f : frames) {
                l.write(f);
            }
        } catch (IOException e) {
            log.debug("{} write failed while resuming: {}", l.tag, e.toString());
        } finally {
            writeLock.unlock();
        }
        return true;
    }

    // ---------------------------------------------------------------- frames from the server

    private void onFrame(Link l, Frame f) {
        switch (f.verb()) {
            case "WELCOME" -> {
                l.registered = true;
                l.welcome.complete(f);
            }
            case "PING" -> {
                writeLock.lock();
                try {
                    l.write(Frame.of("PONG").with("token", f.field("token")));
                } catch (IOException e) {
                    log.debug("{} PONG not written: {}", l.tag, e.toString());
                } finally {
                    writeLock.unlock();
                }
            }
            case "BYE" -> l.byeReason = f.field("reason");
            case "ERROR" -> onError(l, f);
            default -> {
                if (l.registered) {
                    lock.lock();
                    try {
                        if (l == link || l == handshaking) {
                            onSessionFrame(f);
                        }
                    } finally {
                        lock.unlock();
                    }
                }
            }
        }
    }

    private void onError(Link l, Frame f) {
        String wire = f.field("code");
        ErrorCode code = ErrorCode.fromWire(wire);
        if (code == null) {
            code = ErrorCode.INTERNAL;
        }
        String ref = f.field("ref");
        ProtocolException e = new ProtocolException(code, f.text() != null ? f.text() : String.valueOf(wire), ref);
        if (code.closesConnection()) {
            l.errorReason = switch (code) {
                case TIMEOUT -> "timeout";
                case SHUTTING_DOWN -> "shutdown";
                case SLOW_CONSUMER -> "slow-consumer";
                case SERVER_FULL -> "server-full";
                case AUTH_FAILED -> "auth-failed";
                case UNSUPPORTED_VERSION -> "unsupported-version";
                default -> "error";
            };
        }
        if (!l.registered) {
            l.welcome.completeExceptionally(e);
            return;
        }
        lock.lock();
        try {
            if (l != link) {
                return;
            }
            Request r = ref == null ? null : pending.remove(ref);
            if (r == null) {
                events.post(() -> listener.onError(e));
                return;
            }
            if (r.catchUpAfter >= 0) {
                Direct d = directs.get(userKey(r.peer));
                if (d != null) {
                    releaseHeld(d);
                }
            }
            if (r.kind == Kind.JOIN) {
                Room rm = rooms.get(r.room);
                if (rm != null && !rm.joined) {
                    rooms.remove(r.room);
                } else if (rm != null && r.future == null) {
                    // A rejoin after a reconnect failed: we are no longer in the room.
                    rooms.remove(r.room);
                    String me = name;
                    events.post(() -> listener.onLeft(r.room, me, "error"));
                }
            }
            if (r.future == null) {
                events.post(() -> listener.onError(e));
            } else {
                events.post(() -> r.future.completeExceptionally(e));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds the lock. */
    private void onSessionFrame(Frame f) {
        String ref = f.field("ref");
        Request r = ref == null ? null : pending.get(ref);
        switch (f.verb()) {
            case "JOINED" -> {
                String room = f.field("room");
                String who = f.field("name");
                if (ref != null) {
                    Room rm = rooms.get(room);
                    long head = parseLong(f.field("head"), 0);
                    if (rm != null) {
                        rm.joined = true;
                        if (rm.last > head) {
                            // The server's numbering is behind what we saw: it lost its messages
                            // (an in-memory server restarted). Everything after its head is new.
                            rm.last = head;
                            rm.ownAbove.clear();
                        } else if (rm.last < 0 && head == 0) {
                            rm.last = 0;
                        }
                    }
                    if (r != null && r.kind == Kind.JOIN) {
                        pending.remove(ref);
                        r.complete(events, new Joined(room, head));
                    }
                } else if (!isMe(who)) {
                    events.post(() -> listener.onJoined(room, who));
                }
            }
            case "LEFT" -> {
                String room = f.field("room");
                String who = f.field("name");
                String reason = f.field("reason");
                if (ref != null) {
                    if (r != null && r.kind == Kind.PART) {
                        pending.remove(ref);
                        r.complete(events, null);
                    }
                } else {
                    if (isMe(who)) {
                        rooms.remove(room);
                    }
                    events.post(() -> listener.onLeft(room, who, reason));
                }
            }
            case "MSG" -> {
                ChatMessage m = toMessage(f);
                if (m == null) {
                    return;
                }
                if (ref != null) {
                    if (r != null && r.kind == Kind.HISTORY) {
                        r.messages.add(m);
                    }
                } else if (m.room() != null) {
                    Room rm = rooms.get(m.room());
                    if (rm == null || (rm.last >= 0 && m.seq() <= rm.last)) {
                        return; // not in the room any more, or already delivered before a reconnect
                    }
                    rm.delivered(m.seq());
                    events.post(() -> listener.onMessage(m));
                } else if (m.with() != null) {
                    Direct d = direct(m.with(), m.seq());
                    if (d.held != null) {
                        d.held.add(m); // a catch-up runs: delivered after the messages it finds
                    } else {
                        d.delivered(m.seq());
                        events.post(() -> listener.onDirectMessage(m));
                    }
                }
            }
            case "GAP" -> {
                String room = f.field("room");
                long from = parseLong(f.field("from"), 0);
                long to = parseLong(f.field("to"), 0);
                String reason = f.field("reason");
                Room rm = rooms.get(room);
                if (rm != null) {
                    rm.delivered(Math.max(rm.last, to));
                    events.post(() -> listener.onGap(room, from, to, reason));
                }
            }
            case "ACK" -> {
                if (r != null && r.kind == Kind.SEND) {
                    pending.remove(ref);
                    long seq = parseLong(f.field("seq"), 0);
                    Instant time = parseTime(f.field("time"));
                    String room = f.field("room");
                    if (room != null) {
                        Room rm = rooms.get(room);
                        if (rm != null) {
                            rm.acked(seq);
                        }
                    } else if (f.field("to") != null && seq > 0) {
                        direct(f.field("to"), seq).acked(seq);
                    }
                    r.complete(events, new Ack(room, f.field("to"), seq, time, f.field("id")));
                }
            }
            case "MEMBER" -> {
                if (r != null && r.kind == Kind.WHO && f.field("name") != null) {
                    r.names.add(f.field("name"));
                }
            }
            case "ROOM" -> {
                if (r != null && r.kind == Kind.ROOMS && f.field("name") != null) {
                    r.roomInfos.add(new RoomInfo(f.field("name"), (int) parseLong(f.field("members"), 0)));
                }
            }
            case "END" -> {
                if (r != null && r.catchUpAfter >= 0) {
                    pending.remove(ref);
                    caughtUp(r, "1".equals(f.field("more")));
                } else if (r != null) {
                    pending.remove(ref);
                    switch (r.kind) {
                        case HISTORY -> r.complete(events, List.copyOf(r.messages));
                        case WHO -> r.complete(events, List.copyOf(r.names));
                        case ROOMS -> r.complete(events, List.copyOf(r.roomInfos));
                        default -> log.debug("{} END for a {} request", tag, r.kind);
                    }
                }
            }
            case "PONG" -> {
                if (r != null && r.kind == Kind.PING) {
                    pending.remove(ref);
                    r.complete(events, Duration.ofNanos(System.nanoTime() - r.sentNanos));
                }
            }
            default -> log.debug("{} ignoring {} frame", tag, f.verb());
        }
    }

    /**
     * The direct conversation with {@code peer}, made when first seen. Its watermark starts just below
     * the first seq seen: what came before this session is history, not something missed.
     * Caller holds the lock.
     */
    private Direct direct(String peer, long firstSeq) {
        Direct d = directs.computeIfAbsent(userKey(peer), k -> new Direct(peer));
        if (d.last < 0) {
            d.last = Math.max(0, firstSeq - 1);
        }
        return d;
    }

    /**
     * Registers a catch-up of {@code d}: {@code HISTORY with=PEER after=AFTER}. Caller holds the lock and
     * writes the returned request's frame.
     */
    private Request catchUp(Direct d, long after) {
        String ref = Long.toString(++nextRef);
        Request r = new Request(Kind.HISTORY, ref, null, d.peer, null);
        r.catchUpAfter = after;
        r.frame = Frame.of("HISTORY").with("with", d.peer).with("after", after).with("limit", CATCH_UP_PAGE)
                .with("ref", ref);
        pending.put(ref, r);
        return r;
    }

    /**
     * A catch-up page arrived: delivers what the session had not seen (not its own acknowledged
     * messages, not what it delivered before the drop), then reads the next page or releases the live
     * messages held meanwhile. Caller holds the lock.
     */
    private void caughtUp(Request r, boolean more) {
        Direct d = directs.get(userKey(r.peer));
        if (d == null) {
            return;
        }
        long after = r.catchUpAfter;
        for (ChatMessage m : r.messages) {
            after = Math.max(after, m.seq());
            d.read = Math.max(d.read, m.seq());
            if (m.seq() > d.last && !d.ownAbove.contains(m.seq())) {
                d.delivered(m.seq());
                events.post(() -> listener.onDirectMessage(m));
            }
        }
        if (more && !r.messages.isEmpty()) {
            Request next = catchUp(d, after);
            Link l = link;
            Thread.ofVirtual().name("parley-client-catch-up-" + tag).start(() -> {
                writeLock.lock();
                try {
                    l.write(next.frame);
                } catch (IOException e) {
                    log.debug("{} catch-up not written: {}", l.tag, e.toString());
                } finally {
                    writeLock.unlock();
                }
            });
            return;
        }
        releaseHeld(d);
    }

    /** Ends a catch-up: delivers the live messages held meanwhile that it did not deliver. Caller holds the lock. */
    private void releaseHeld(Direct d) {
        List<ChatMessage> held = d.held;
        d.held = null;
        if (held == null) {
            return;
        }
        for (ChatMessage m : held) {
            if (m.seq() > d.read) {
                d.delivered(m.seq());
                events.post(() -> listener.onDirectMessage(m));
            }
        }
    }

    private static String userKey(String name) {
        try {
            return Names.canonicalUser(name);
        } catch (ProtocolException e) {
            return name;
        }
    }

    private boolean isMe(String who) {
        if (who == null) {
            return false;
        }
        try {
            return Names.canonicalUser(who).equals(Names.canonicalUser(name));
        } catch (ProtocolException e) {
            return false;
        }
    }

    private ChatMessage toMessage(Frame f) {
        try {
            return new ChatMessage(f.field("room"), f.field("with"), parseLong(f.field("seq"), 0), f.field("from"),
                    parseTime(f.field("time")), f.text() == null ? "" : f.text());
        } catch (RuntimeException e) {
            log.warn("{} ignoring a malformed MSG: {}", tag, e.toString());
            return null;
        }
    }

    private static long parseLong(String s, long fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Instant parseTime(String s) {
        if (s == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static String canonicalRoom(String room) {
        if (room == null || room.isEmpty() || room.length() > 64) {
            throw new IllegalArgumentException("room must be 1 to 64 characters, was " + room);
        }
        for (int i = 0; i < room.length(); i++) {
            char c = room.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
                throw new IllegalArgumentException("room may contain only ASCII letters, digits, '-', '_' and '.': "
                        + Escaping.forLog(room, 70));
            }
        }
        return room.toLowerCase(Locale.ROOT);
    }

    private static void checkName(String who) {
        if (who == null || who.isEmpty() || who.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("not a user name: " + Escaping.forLog(who, 40));
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

    @Override
    public String toString() {
        return "ChatSession[" + tag + " " + name() + " " + state() + " " + settings.server() + "]";
    }

    // ---------------------------------------------------------------- inner types

    private enum Kind { JOIN, PART, SEND, HISTORY, WHO, ROOMS, PING }

    /** A request waiting for its answer. Guarded by the session lock. */
    private static final class Request {
        final Kind kind;
        final String ref;
        final String room;
        final String peer;
        /** Null for the session's own rejoins and catch-ups. */
        final CompletableFuture<?> future;
        Frame frame;
        /** For a catch-up of a direct conversation: the seq it reads after; -1 for every other request. */
        long catchUpAfter = -1;
        volatile long sentNanos = System.nanoTime();
        final List<ChatMessage> messages = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<RoomInfo> roomInfos = new ArrayList<>();

        Request(Kind kind, String ref, String room, String peer, CompletableFuture<?> future) {
            this.kind = kind;
            this.ref = ref;
            this.room = room;
            this.peer = peer;
            this.future = future;
        }

        /** Forgets a partial answer: the request will be sent again on the next connection. */
        void reset() {
            messages.clear();
            names.clear();
            roomInfos.clear();
        }

        @SuppressWarnings("unchecked")
        void complete(EventThread events, Object value) {
            if (future != null) {
                CompletableFuture<Object> f = (CompletableFuture<Object>) future;
                events.post(() -> f.complete(value));
            }
        }
    }

    /**
     * A conversation's watermark: everything up to {@link #last} was delivered or is the session's own.
     * Guarded by the session lock.
     */
    private static class Watermark {
        /** The highest seq such that everything up to it was delivered or is ours; -1 when unknown. */
        long last = -1;
        /** Seqs of our own acknowledged messages above {@link #last}. */
        final TreeSet<Long> ownAbove = new TreeSet<>();

        void delivered(long seq) {
            last = Math.max(last, seq);
            advance();
        }

        void acked(long seq) {
            if (last >= 0 && seq > last) {
                ownAbove.add(seq);
                advance();
            }
        }

        private void advance() {
            while (!ownAbove.isEmpty() && ownAbove.first() <= last + 1) {
                last = Math.max(last, ownAbove.pollFirst());
            }
        }
    }

    /** A room the session is in, with the last seq it delivered. Guarded by the session lock. */
    private static final class Room extends Watermark {
        final String name;
        boolean joined;

        Room(String name) {
            this.name = name;
        }
    }

    /**
     * A direct conversation, caught up on after a reconnect from its watermark. Direct messages carry
     * no {@code since=} the way a JOIN does, so the session reads {@code HISTORY with=PEER after=LAST}
     * and holds live messages of the conversation until that answer is in, to keep seq order.
     * Guarded by the session lock.
     */
    private static final class Direct extends Watermark {
        /** The peer as the server first named it. */
        final String peer;
        /** Live messages that arrived while a catch-up runs; null when none runs. */
        List<ChatMessage> held;
        /** The highest seq the running catch-up read, so a held message it already delivered is not repeated. */
        long read = -1;

        Direct(String peer) {
            this.peer = peer;
        }
    }

    /** One connection: its reader thread and what it learned. */
    private final class Link {
        final String tag;
        final Connection connection;
        final CompletableFuture<Frame> welcome = new CompletableFuture<>();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile boolean registered;
        volatile String byeReason;
        volatile String errorReason;
        /** Set by the watchdog when it closed the connection for silence. */
        volatile boolean idle;
        volatile long lastInbound = System.nanoTime();

        Link(int number, Connection connection) {
            this.tag = RealChatSession.this.tag + "/c" + number;
            this.connection = connection;
        }

        void start() {
            Thread.ofVirtual().name("parley-client-reader-" + tag).start(this::readLoop);
            Thread.ofVirtual().name("parley-client-watchdog-" + tag).start(this::watchdog);
        }

        /**
         * Closes the connection when nothing arrived for the idle timeout; pings the server after half
         * of it, so that a quiet but live connection answers. Waits on {@link #ended}, so it ends with
         * the connection.
         */
        private void watchdog() {
            long timeout = settings.idleTimeout().toNanos();
            boolean pinged = false;
            try {
                while (true) {
                    long silent = System.nanoTime() - lastInbound;
                    if (silent >= timeout) {
                        log.debug("{} nothing from the server for {}ms; closing", tag, settings.idleTimeout().toMillis());
                        idle = true;
                        connection.close();
                        return;
                    }
                    if (silent < timeout / 2) {
                        pinged = false;
                    } else if (!pinged && registered) {
                        pinged = true;
                        writeLock.lock();
                        try {
                            write(Frame.of("PING").with("token", "idle"));
                        } catch (IOException e) {
                            log.debug("{} PING not written: {}", tag, e.toString());
                        } finally {
                            writeLock.unlock();
                        }
                    }
                    long next = silent < timeout / 2 ? timeout / 2 - silent : timeout - silent;
                    if (ended.await(Math.max(next, 1_000_000), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Caller holds {@link #writeLock}. */
        void write(Frame f) throws IOException {
            connection.write(ByteBuffer.wrap(FrameEncoder.encode(f)));
        }

        private void readLoop() {
            FrameDecoder decoder = new FrameDecoder(MAX_LINE);
            FrameDecoder.Sink sink = new FrameDecoder.Sink() {
                @Override
                public void frame(Frame frame) {
                    onFrame(Link.this, frame);
                }

                @Override
                public void error(ProtocolException error) {
                    log.warn("{} ignoring a line from the server: {}", tag, error.toString());
                }
            };
            byte[] buffer = new byte[16384];
            try {
                int n;
                while ((n = connection.read(buffer, 0, buffer.length)) >= 0) {
                    lastInbound = System.nanoTime();
                    decoder.decode(buffer, 0, n, sink);
                    // Back-pressure: a listener slower than the traffic holds back the socket, not
                    // the heap (ChatClient.Builder#maxQueuedEvents).
                    events.awaitRoom(() -> lastInbound = System.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                log.debug("{} read ended: {}", tag, e.toString());
            } catch (RuntimeException e) {
                log.warn("{} reader failed", tag, e);
            } finally {
                connection.close();
                welcome.completeExceptionally(new ChatClientException(
                        "connection closed by " + settings.server() + " during the handshake"
                                + (byeReason != null ? " (" + byeReason + ")" : "")));
                ended.countDown();
                connectionEnded(this);
            }
        }
    }
}
