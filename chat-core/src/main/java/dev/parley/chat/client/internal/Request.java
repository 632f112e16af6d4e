package dev.parley.chat.client.internal;

import dev.parley.chat.protocol.ClientMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A request waiting for its answer: what was sent, the answer collected so far (the MSG, MEMBER or
 * ROOM frames before an END), and the future to complete. Guarded by the session lock.
 */
final class Request {
    /** What the request asks; decides which answers complete it. */
    enum Kind { JOIN, PART, SEND, HISTORY, WHO, ROOMS, PING }

    final Kind kind;
    final String ref;
    /** The canonical room the request is about, or {@code null}. */
    final String room;
    /** The user the request is about (SEND to, HISTORY with), or {@code null}. */
    final String peer;
    /** The application's future; {@code null} for the session's own rejoins and catch-ups. */
    final CompletableFuture<?> future;
    /** For a catch-up of a direct conversation: the seq it reads after; -1 for every other request. */
    final long catchUpAfter;
    /** What goes on the wire, again on every new connection (a SEND keeps its id). */
    ClientMessage message;
    /** When the request was last handed to a connection, on the session's clock (a PING's round trip). */
    long sentNanos;
    /** Cancels the timeout; set by {@link PendingRequests}. */
    Scheduler.Cancellable timer;
    private final List<Object> items = new ArrayList<>();

    Request(Kind kind, String ref, String room, String peer, CompletableFuture<?> future, long catchUpAfter) {
        this.kind = kind;
        this.ref = ref;
        this.room = room;
        this.peer = peer;
        this.future = future;
        this.catchUpAfter = catchUpAfter;
    }

    /** An application request. */
    static Request of(Kind kind, String ref, String room, String peer, CompletableFuture<?> future) {
        return new Request(kind, ref, room, peer, future, -1);
    }

    /** Whether this is the session's own catch-up of a direct conversation. */
    boolean isCatchUp() {
        return catchUpAfter >= 0;
    }

    /** Adds one part of the answer (a message, a member name, a room). */
    void collect(Object item) {
        items.add(item);
    }

    /** The parts collected so far, in order. */
    @SuppressWarnings("unchecked")
    <T> List<T> collected() {
        return (List<T>) List.copyOf(items);
    }

    /** Forgets a partial answer: the request will be sent again on the next connection. */
    void reset() {
        items.clear();
    }

    /** Completes the application's future on the event thread; nothing for the session's own requests. */
    @SuppressWarnings("unchecked")
    void complete(EventThread events, Object value) {
        if (future != null) {
            CompletableFuture<Object> f = (CompletableFuture<Object>) future;
            events.post(() -> f.complete(value));
        }
    }

    /** Fails the application's future on the event thread; nothing for the session's own requests. */
    void fail(EventThread events, Throwable error) {
        if (future != null) {
            events.post(() -> future.completeExceptionally(error));
        }
    }

    @Override
    public String toString() {
        return kind + " ref=" + ref;
    }
}
