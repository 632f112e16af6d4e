package dev.parley.chat.client.internal;

import dev.parley.chat.client.ChatClientException;
import dev.parley.chat.client.ChatListener;
import dev.parley.chat.client.ChatSession.State;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one session's parts share: the application's calls ({@link RealChatSession}), the reader
 * ({@link Inbound}), the reconnect thread ({@link Reconnector}) and the timer thread all read and
 * change it under {@link #lock}, and only there.
 *
 * <p>Nothing blocks while {@link #lock} is held: writing is queueing ({@link LinkWriter}), events are
 * posted ({@link EventThread}), timers are scheduled or cancelled ({@link TimerThread}), and those take
 * only their own leaf locks. So the lock order is simply: {@link #lock}, then any one of those.
 */
final class SessionState {
    private static final Logger log = LoggerFactory.getLogger(SessionState.class);

    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when {@link #state} changes, or when a connection ends during a graceful close. */
    final Condition changed = lock.newCondition();

    final ClientSettings settings;
    final ChatListener listener;
    /** The session's id in logs and thread names. */
    final String tag;
    final EventThread events;
    final TimerThread timers;
    final PendingRequests pending;
    final Cursors cursors = new Cursors();
    final Registration registration;
    /** Lines from the server the client could not read, since the session began. */
    final AtomicLong unreadable = new AtomicLong();

    // Guarded by lock.
    State state = State.CONNECTING;
    /** The connection in use; {@code null} while connecting, reconnecting or closed. */
    Link link;
    /** The connection being registered (HELLO sent, WELCOME awaited or just received), or {@code null}. */
    Link handshaking;
    /** Set by a graceful close while it waits for the server's BYE. */
    boolean closing;

    SessionState(ClientSettings settings, String tag) {
        this.settings = settings;
        this.listener = settings.listener();
        this.tag = tag;
        this.events = new EventThread("parley-client-events-" + tag, settings.maxQueuedEvents());
        this.timers = new TimerThread("parley-client-timer-" + tag);
        this.pending = new PendingRequests(timers, settings.requestTimeout().toNanos(), this::timedOut);
        this.registration = new Registration(settings.name(), settings.token(), settings.resumeToken());
    }

    /** Moves to another state and tells the listener. Caller holds the lock. */
    void setState(State to) {
        State from = state;
        state = to;
        changed.signalAll();
        events.post(() -> listener.onStateChanged(from, to));
    }

    /**
     * The final state: fails what waits, closes the connections, stops the timers, and stops the
     * event thread after the events posted so far. Caller holds the lock.
     */
    void finishClosed(String reason) {
        State old = state;
        state = State.CLOSED;
        Link l = link;
        link = null;
        Link h = handshaking;
        handshaking = null;
        for (Request r : pending.clear()) {
            r.fail(events, new ChatClientException(r.kind + " not answered: session closed (" + reason + ")"));
        }
        events.post(() -> listener.onStateChanged(old, State.CLOSED));
        events.shutdown();
        timers.shutdown();
        changed.signalAll();
        if (l != null) {
            l.close();
        }
        if (h != null) {
            h.close();
        }
        log.debug("{} closed ({})", tag, reason);
    }

    /** Stops the threads of a session that never opened. */
    void abandon() {
        events.shutdown();
        timers.shutdown();
    }

    /** A request's time is up: it fails with a {@link TimeoutException}. Runs on the timer thread. */
    private void timedOut(Request r) {
        lock.lock();
        try {
            if (!pending.expire(r)) {
                return;
            }
            if (r.isCatchUp()) {
                // No answer: stop holding the conversation's live messages back.
                for (var m : cursors.release(r.peer)) {
                    events.post(() -> listener.onDirectMessage(m));
                }
                log.debug("{} catch-up of a direct conversation got no answer in time", tag);
            }
            r.fail(events, new TimeoutException(r.kind + " got no answer within "
                    + settings.requestTimeout().toMillis() + "ms (state " + state + ")"));
        } finally {
            lock.unlock();
        }
    }
}
