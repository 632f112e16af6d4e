package dev.parley.chat.client.internal;

import dev.parley.chat.client.ChatClientException;
import dev.parley.chat.client.ChatSession.State;
import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connecting and reconnecting: opens a connection and registers ({@link #dial}), notices when one ends
 * ({@link #dropped}), and then, on one virtual thread while {@link State#RECONNECTING}, waits a
 * {@link Backoff}, dials again and carries out the {@link ResumePlan} (rejoins, catch-ups, resends)
 * before any request made meanwhile.
 */
final class Reconnector {
    private static final Logger log = LoggerFactory.getLogger(Reconnector.class);

    private final SessionState s;
    private final Inbound inbound;
    private final Backoff backoff;
    private int links;

    Reconnector(SessionState session) {
        this.s = session;
        this.inbound = new Inbound(session, this::dropped);
        ClientSettings c = session.settings;
        // ThreadLocalRandom.current() on the thread that draws: an instance taken here and used on the
        // reconnect thread gives the same delays in every process, which defeats the jitter.
        this.backoff = new Backoff(c.reconnectBaseDelay(), c.reconnectMaxDelay(), () -> ThreadLocalRandom.current().nextLong());
    }

    /**
     * Connects and registers; returns the connection once WELCOME arrived, not yet installed as the
     * session's link (frames after the WELCOME are handled meanwhile as {@link SessionState#handshaking}).
     *
     * @throws ProtocolException if the server refuses the registration
     * @throws ChatClientException if the server cannot be reached or does not answer in time
     */
    Link dial() {
        ClientSettings c = s.settings;
        Connection connection;
        try {
            connection = c.connector().connect();
        } catch (IOException e) {
            throw new ChatClientException("cannot reach the chat server at " + c.server() + ": " + e.getMessage(), e);
        }
        Link l;
        ClientMessage.Hello hello;
        s.lock.lock();
        try {
            l = new Link(s.tag + "/c" + (++links), connection, c.server(), s.timers, s.events,
                    c.idleTimeout().toNanos(), inbound);
            if (s.state == State.CLOSED) {
                connection.close();
                throw new ChatClientException("session is closed");
            }
            s.handshaking = l;
            hello = s.registration.hello();
        } finally {
            s.lock.unlock();
        }
        l.start();
        l.send(hello);
        try {
            ServerMessage.Welcome welcome = l.welcome.get(c.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
            String token;
            s.lock.lock();
            try {
                token = s.registration.welcomed(welcome);
            } finally {
                s.lock.unlock();
            }
            if (token != null) {
                s.events.post(() -> s.listener.onResumeToken(token));
            }
            return l;
        } catch (ExecutionException e) {
            l.close();
            if (e.getCause() instanceof ProtocolException pe) {
                if (pe.code() == ErrorCode.RESUME_REFUSED && dropResumeToken()) {
                    log.info("{} the server refused the resume token; registering as a new identity", s.tag);
                    return dial();
                }
                throw pe;
            }
            throw new ChatClientException("handshake with " + c.server() + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            l.close();
            throw new ChatClientException("no WELCOME from " + c.server() + " within " + c.connectTimeout().toMillis() + "ms");
        } catch (InterruptedException e) {
            l.close();
            Thread.currentThread().interrupt();
            throw new ChatClientException("interrupted while connecting to " + c.server());
        }
    }

    /** Forgets a refused resume token; false if there was none (then the refusal is final). */
    private boolean dropResumeToken() {
        s.lock.lock();
        try {
            return s.registration.resumeRefused();
        } finally {
            s.lock.unlock();
        }
    }

    /** The reader of {@code l} saw the end of its connection: reconnect, or close for good. */
    void dropped(Link l) {
        s.lock.lock();
        try {
            if (l != s.link) {
                return;
            }
            if (s.closing) {
                s.changed.signalAll();
                return;
            }
            s.link = null;
            String reason = l.byeReason != null ? l.byeReason
                    : l.errorReason != null ? l.errorReason
                    : l.idle ? "timeout" : "disconnect";
            log.debug("{} connection ended ({})", l.tag, reason);
            // The server removed us from every room: a PART still waiting is done; we do not rejoin.
            for (Request r : s.pending.removeIf(r -> r.kind == Request.Kind.PART)) {
                r.complete(s.events, null);
            }
            s.pending.all().forEach(Request::reset);
            s.events.post(() -> s.listener.onDisconnected(reason));
            if (!s.settings.reconnect() || reason.equals("auth-failed") || reason.equals("unsupported-version")) {
                s.finishClosed(reason);
            } else {
                s.setState(State.RECONNECTING);
                Thread.ofVirtual().name("parley-client-reconnect-" + s.tag).start(this::reconnectLoop);
            }
        } finally {
            s.lock.unlock();
        }
    }

    private void reconnectLoop() {
        for (int attempt = 0; ; attempt++) {
            if (!awaitBackoff(backoff.delayNanos(attempt))) {
                return;
            }
            Link l;
            try {
                l = dial();
            } catch (ProtocolException e) {
                ErrorCode code = e.code();
                if (code == ErrorCode.AUTH_FAILED || code == ErrorCode.UNSUPPORTED_VERSION || code == ErrorCode.INVALID_NAME) {
                    refused(e);
                    return;
                }
                log.debug("{} reconnect attempt {} refused: {}", s.tag, attempt + 1, code);
                continue;
            } catch (ChatClientException e) {
                log.debug("{} reconnect attempt {} failed: {}", s.tag, attempt + 1, e.getMessage());
                continue;
            }
            if (resume(l)) {
                return;
            }
        }
    }

    /** Waits the backoff; false if the session left {@link State#RECONNECTING} meanwhile. */
    private boolean awaitBackoff(long nanos) {
        s.lock.lock();
        try {
            while (s.state == State.RECONNECTING && nanos > 0) {
                nanos = s.changed.awaitNanos(nanos);
            }
            return s.state == State.RECONNECTING;
        } catch (InterruptedException e) {
            return false;
        } finally {
            s.lock.unlock();
        }
    }

    /** The server refuses this session for good (wrong credentials, name, or version). */
    private void refused(ProtocolException e) {
        s.lock.lock();
        try {
            if (s.state == State.RECONNECTING) {
                s.events.post(() -> s.listener.onError(e));
                s.finishClosed(e.code().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Installs a freshly registered connection and queues the {@link ResumePlan}, all before any
     * request made from now on, then goes {@link State#OPEN}.
     *
     * @return false if the connection already ended (try again), true otherwise
     */
    private boolean resume(Link l) {
        s.lock.lock();
        try {
            if (s.state != State.RECONNECTING) {
                l.close();
                return true;
            }
            if (l.hasEnded()) {
                return false;
            }
            s.link = l;
            s.handshaking = null;
            ResumePlan plan = ResumePlan.of(s.cursors.roomPositions(), s.pending.all(), s.cursors.directPositions());
            // A catch-up the last connection did not finish is asked again, from where its conversation stands now.
            s.pending.removeIf(Request::isCatchUp);
            List<ClientMessage> out = new ArrayList<>();
            long now = s.timers.nanoTime();
            for (ResumePlan.Rejoin j : plan.rejoins()) {
                Request r = j.request();
                if (r == null) {
                    r = new Request(Request.Kind.JOIN, s.pending.nextRef(), j.room(), null, null, -1);
                    s.pending.add(r);
                }
                r.message = new ClientMessage.Join(j.room(), j.since() >= 0 ? j.since() : null, r.ref);
                out.add(r.message);
            }
            for (ResumePlan.CatchUp c : plan.catchUps()) {
                s.cursors.hold(c.peer());
                out.add(inbound.catchUp(c.peer(), c.after()).message);
            }
            for (Request r : plan.resends()) {
                r.sentNanos = now;
                out.add(r.message);
            }
            out.forEach(l::send);
            s.setState(State.OPEN);
            s.events.post(s.listener::onReconnected);
            log.debug("{} reconnected on {}: rejoining {} rooms, catching up {} direct conversations, resending {} requests",
                    s.tag, l.tag, plan.rejoins().size(), plan.catchUps().size(), plan.resends().size());
            return true;
        } finally {
            s.lock.unlock();
        }
    }
}
