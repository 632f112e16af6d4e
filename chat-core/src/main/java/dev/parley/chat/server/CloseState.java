package dev.parley.chat.server;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection's close state machine. Every connection ends exactly once, with the first reason
 * given; its presence (rooms, name) is released before its last frames ({@code ERROR}, {@code BYE})
 * can reach the peer, so a client that has read {@code BYE} can take its name again at once.
 *
 * <pre>
 * state     what holds                                      next state, and who moves it there
 * --------  ----------------------------------------------  ---------------------------------------------
 * OPEN      frames are read and handled                     CLOSING: close() or abort() by any thread
 *                                                           (QUIT, kick, timeout, flood, shutdown, fence,
 *                                                           slow consumer, a line past the hard cap), or
 *                                                           endOfInput() by the reader (peer gone)
 * CLOSING   the reason is fixed; no frame is handled        DRAINING: a graceful close is completed:
 *           any more; presence is being released            presence released, then the last frames
 *                                                           queued. The reader completes it at the end of
 *                                                           its read if it is busy (READER_COMPLETES),
 *                                                           else the closing thread (CALLER_COMPLETES).
 *                                                           CLOSED: an abortive close (peer gone, error,
 *                                                           slow consumer): the reader releases presence
 *                                                           and closes.
 * DRAINING  the last frames are queued; the output ends     CLOSED: the reader, once they are written and
 *           once they are written; input is discarded       the peer closed, or the drain deadline passed
 * CLOSED    the connection is closed and forgotten          (final)
 * </pre>
 *
 * <p>{@link #lock} guards the fields but {@code state}, which is also volatile for the reader's
 * per-frame check. The reader's {@link #beginRead}/{@link #endRead} bracket the handling of one read,
 * which is what "busy" means above; they also publish the reader's own state (its rooms) to a thread
 * that completes a close while the reader is idle.
 */
final class CloseState {
    enum State { OPEN, CLOSING, DRAINING, CLOSED }

    /** What the caller of {@link #close} or {@link #abort} must do now. */
    enum Outcome {
        /** The connection was closing already: nothing (the first reason stands). */
        ALREADY_CLOSING,
        /** The reader is handling a read and completes the close at its end. */
        READER_COMPLETES,
        /** Complete the close now: release presence, then queue the last frames (or close, if abortive). */
        CALLER_COMPLETES
    }

    /** A graceful close the reader must complete at the end of its read. */
    record Deferred(DisconnectReason reason, List<byte[]> lastFrames) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private volatile State state = State.OPEN;
    /** Guarded by lock. */
    private DisconnectReason reason;
    /** Guarded by lock: the reader is handling a read. */
    private boolean busy;
    /** Guarded by lock. */
    private Deferred deferred;
    /** Guarded by lock: the close is abortive (no last frames, no DRAINING). */
    private boolean abortive;

    State state() {
        return state;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /** The reason, once closing ({@code null} while open). */
    DisconnectReason reason() {
        lock.lock();
        try {
            return reason;
        } finally {
            lock.unlock();
        }
    }

    /** Reader: about to handle what one read returned; false if closing (handle nothing). */
    boolean beginRead() {
        lock.lock();
        try {
            if (state != State.OPEN) {
                return false;
            }
            busy = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Reader: done with one read (replies flushed). Returns a close it must now complete, or null. */
    Deferred endRead() {
        lock.lock();
        try {
            busy = false;
            Deferred d = deferred;
            deferred = null;
            return d;
        } finally {
            lock.unlock();
        }
    }

    /** A graceful close: presence released, then {@code lastFrames} queued behind what is queued. */
    Outcome close(DisconnectReason why, List<byte[]> lastFrames) {
        lock.lock();
        try {
            if (state != State.OPEN) {
                return Outcome.ALREADY_CLOSING;
            }
            state = State.CLOSING;
            reason = why;
            if (busy) {
                deferred = new Deferred(why, lastFrames);
                return Outcome.READER_COMPLETES;
            }
            return Outcome.CALLER_COMPLETES;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An abortive close (may be called under other locks: does nothing but decide): the caller
     * closes the connection at once; the reader, woken by that, releases presence.
     */
    Outcome abort(DisconnectReason why) {
        lock.lock();
        try {
            if (state != State.OPEN) {
                return Outcome.ALREADY_CLOSING;
            }
            state = State.CLOSING;
            reason = why;
            abortive = true;
            return Outcome.CALLER_COMPLETES;
        } finally {
            lock.unlock();
        }
    }

    /** Reader: the input ended or failed. Closes with {@code DISCONNECT} if still open; returns it then, else null. */
    DisconnectReason endOfInput() {
        lock.lock();
        try {
            if (state != State.OPEN) {
                return null;
            }
            state = State.CLOSING;
            reason = DisconnectReason.DISCONNECT;
            abortive = true;
            return reason;
        } finally {
            lock.unlock();
        }
    }

    /** Presence is released and the last frames are queued (a graceful close only). */
    void draining() {
        lock.lock();
        try {
            if (state == State.CLOSING && !abortive) {
                state = State.DRAINING;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reader: the connection is closed. */
    void closed() {
        lock.lock();
        try {
            state = State.CLOSED;
        } finally {
            lock.unlock();
        }
    }
}
