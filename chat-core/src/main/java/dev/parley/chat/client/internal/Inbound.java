package dev.parley.chat.client.internal;

import dev.parley.chat.client.Ack;
import dev.parley.chat.client.ChatClientException;
import dev.parley.chat.client.ChatMessage;
import dev.parley.chat.client.Joined;
import dev.parley.chat.client.RoomInfo;
import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server's frames do to the session: one method per kind of {@link ServerMessage}. Runs on
 * the reader thread of the connection the frame came from; it changes the session's state under its
 * lock and posts every listener call and future completion to the {@link EventThread} while still
 * holding it, so that events keep the order of the frames. It never blocks: a PONG or the next
 * catch-up page is queued for the writer.
 *
 * <p>A line the client cannot read is logged (WARN for the first {@value #WARNINGS} of a session,
 * DEBUG after that) and counted ({@link SessionState#unreadable}); it is never turned into zeros. If
 * it answers an application request (its ref is known), that request fails with a
 * {@link ChatClientException} rather than completing with part of its answer.
 */
final class Inbound implements Link.Receiver {
    private static final Logger log = LoggerFactory.getLogger(Inbound.class);
    private static final int WARNINGS = 10;
    /** Messages per catch-up HISTORY page: the server's default max-history. */
    static final int CATCH_UP_PAGE = 500;

    private final SessionState s;
    private final Consumer<Link> onEnd;

    /**
     * @param onEnd told when a connection ends (on its reader thread)
     */
    Inbound(SessionState session, Consumer<Link> onEnd) {
        this.s = session;
        this.onEnd = onEnd;
    }

    @Override
    public void received(Link l, ServerMessage message, Frame frame) {
        switch (message) {
            case ServerMessage.Welcome w -> {
                l.paceAs(w.rateLimit()); // before anything the WELCOME lets the session send
                l.registered = true;
                l.welcome.complete(w);
            }
            case ServerMessage.Ping p -> l.send(new ClientMessage.Pong(p.token(), null));
            case ServerMessage.Bye b -> l.byeReason = b.reason();
            case ServerMessage.Error e -> error(l, e, frame);
            default -> {
                if (!l.registered) {
                    return;
                }
                s.lock.lock();
                try {
                    if (l == s.link || l == s.handshaking) {
                        dispatch(l, message);
                    }
                } finally {
                    s.lock.unlock();
                }
            }
        }
    }

    @Override
    public void unreadable(Link l, Frame frame, ProtocolException e) {
        long n = s.unreadable.incrementAndGet();
        String line = frame == null ? "(not a frame)" : Escaping.forLog(frame.toString(), 200);
        if (n <= WARNINGS) {
            log.warn("{} ignoring a line from the server ({} so far): {}: {}", l.tag, n, e.toString(), line);
        } else {
            log.debug("{} ignoring a line from the server ({} so far): {}: {}", l.tag, n, e.toString(), line);
        }
        if (!l.registered) {
            if (frame != null && frame.verb().equals("WELCOME")) {
                l.welcome.completeExceptionally(new ChatClientException("unreadable WELCOME: " + e.getMessage(), e));
            }
            return;
        }
        s.lock.lock();
        try {
            Request r = l == s.link || l == s.handshaking ? s.pending.get(e.ref()) : null;
            if (r != null && r.future != null) {
                s.pending.remove(r.ref);
                r.fail(s.events, new ChatClientException("unreadable answer to " + r.kind + ": " + e.getMessage(), e));
            }
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public void ended(Link l) {
        onEnd.accept(l);
    }

    /** Caller holds the lock. */
    private void dispatch(Link l, ServerMessage message) {
        Request r = s.pending.get(message.ref());
        switch (message) {
            case ServerMessage.Joined j -> joined(j, r);
            case ServerMessage.Left x -> left(x, r);
            case ServerMessage.Msg m -> msg(m, r);
            case ServerMessage.Gap g -> {
                if (s.cursors.gap(g.room(), g.to())) {
                    post(() -> s.listener.onGap(g.room(), g.from(), g.to(), g.reason()));
                }
            }
            case ServerMessage.Ack a -> ack(a, r);
            case ServerMessage.Member x -> {
                if (r != null && r.kind == Request.Kind.WHO) {
                    r.collect(x.name());
                }
            }
            case ServerMessage.Room x -> {
                if (r != null && r.kind == Request.Kind.ROOMS) {
                    r.collect(new RoomInfo(x.name(), x.members()));
                }
            }
            case ServerMessage.End e -> end(l, e, r);
            case ServerMessage.Pong p -> {
                if (r != null && r.kind == Request.Kind.PING) {
                    s.pending.remove(r.ref);
                    r.complete(s.events, Duration.ofNanos(s.timers.nanoTime() - r.sentNanos));
                }
            }
            default -> log.debug("{} ignoring {} after registration", l.tag, message.getClass().getSimpleName());
        }
    }

    private void joined(ServerMessage.Joined j, Request r) {
        if (j.ref() == null) {
            if (!s.registration.isMe(j.name())) {
                post(() -> s.listener.onJoined(j.room(), j.name()));
            }
            return;
        }
        long head = j.head() == null ? 0 : j.head();
        s.cursors.joined(j.room(), head);
        if (r != null && r.kind == Request.Kind.JOIN) {
            s.pending.remove(r.ref);
            r.complete(s.events, new Joined(j.room(), head));
        }
    }

    private void left(ServerMessage.Left x, Request r) {
        if (x.ref() != null) {
            if (r != null && r.kind == Request.Kind.PART) {
                s.pending.remove(r.ref);
                r.complete(s.events, null);
            }
            return;
        }
        if (s.registration.isMe(x.name())) {
            s.cursors.left(x.room());
        }
        post(() -> s.listener.onLeft(x.room(), x.name(), x.reason()));
    }

    private void msg(ServerMessage.Msg x, Request r) {
        ChatMessage m = new ChatMessage(x.room(), x.with(), x.seq(), x.from(), x.time(), x.text());
        if (x.ref() != null) {
            if (r != null && r.kind == Request.Kind.HISTORY) {
                r.collect(m);
            }
        } else if (m.room() != null) {
            if (s.cursors.deliver(m)) {
                post(() -> s.listener.onMessage(m));
            }
        } else {
            deliverDirect(s.cursors.liveDirect(m));
        }
    }

    private void ack(ServerMessage.Ack a, Request r) {
        if (r == null || r.kind != Request.Kind.SEND) {
            return;
        }
        s.pending.remove(r.ref);
        if (a.room() != null) {
            s.cursors.ackedRoom(a.room(), a.seq());
        } else {
            s.cursors.ackedDirect(a.to(), a.seq());
        }
        r.complete(s.events, new Ack(a.room(), a.to(), a.seq(), a.time(), a.id()));
    }

    private void end(Link l, ServerMessage.End e, Request r) {
        if (r == null) {
            return;
        }
        s.pending.remove(r.ref);
        if (r.isCatchUp()) {
            Cursors.Page page = s.cursors.caughtUp(r.peer, r.catchUpAfter, r.collected(), e.more());
            deliverDirect(page.deliver());
            if (page.nextAfter() >= 0) {
                l.send(catchUp(r.peer, page.nextAfter()).message);
            }
            return;
        }
        if (r.kind == Request.Kind.ROOMS && e.more() && e.count() > 0) {
            // One page of the server's ROOMS: ask for the next under the same ref and collect on.
            List<RoomInfo> got = r.collected();
            s.pending.add(r);
            l.send(new ClientMessage.Rooms(got.get(got.size() - 1).name(), null, r.ref));
            return;
        }
        switch (r.kind) {
            case HISTORY, WHO, ROOMS -> r.complete(s.events, r.collected());
            default -> log.debug("{} END for a {} request", l.tag, r.kind);
        }
    }

    private void error(Link l, ServerMessage.Error e, Frame frame) {
        ErrorCode code = e.code();
        String text = e.text() != null ? e.text() : String.valueOf(frame.field("code"));
        ProtocolException error = new ProtocolException(code, text, e.ref());
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
            l.welcome.completeExceptionally(error);
            return;
        }
        s.lock.lock();
        try {
            if (l != s.link) {
                return;
            }
            Request r = s.pending.remove(e.ref());
            if (r == null) {
                post(() -> s.listener.onError(error));
                return;
            }
            if (r.isCatchUp()) {
                deliverDirect(s.cursors.release(r.peer));
            }
            if (r.kind == Request.Kind.JOIN && s.cursors.joinRefused(r.room, r.future == null)) {
                // A rejoin after a reconnect failed: the session is no longer in the room.
                String me = s.registration.name();
                post(() -> s.listener.onLeft(r.room, me, "error"));
            }
            if (r.future == null) {
                post(() -> s.listener.onError(error));
            } else {
                r.fail(s.events, error);
            }
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Registers a catch-up page of the direct conversation with {@code peer}: {@code HISTORY with=PEER
     * after=AFTER}. Caller holds the lock and queues the returned request's message.
     */
    Request catchUp(String peer, long after) {
        Request r = new Request(Request.Kind.HISTORY, s.pending.nextRef(), null, peer, null, after);
        r.message = new ClientMessage.History(null, peer, null, after, CATCH_UP_PAGE, r.ref);
        r.sentNanos = s.timers.nanoTime();
        s.pending.add(r);
        return r;
    }

    private void deliverDirect(List<ChatMessage> messages) {
        for (ChatMessage m : messages) {
            post(() -> s.listener.onDirectMessage(m));
        }
    }

    private void post(Runnable event) {
        s.events.post(event);
    }
}
