package dev.parley.chat.client.internal;

import dev.parley.chat.client.ChatMessage;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the session stands in each conversation, so that a reconnect resumes without a gap and the
 * listener sees every message once, in seq order.
 *
 * <ul>
 *   <li>A <b>room</b> cursor is the last seq delivered or acknowledged; the rejoin asks
 *       {@code JOIN since=} it, and anything at or below it that arrives again is dropped.
 *   <li>A <b>direct conversation</b> has no {@code since=}: after a reconnect the session reads
 *       {@code HISTORY with= after=} its cursor, page by page, and holds the conversation's live
 *       messages until the catch-up is over, so they come after the missed ones. Only the
 *       {@value #MAX_CAUGHT_UP} conversations most recently seen (a message or an ACK) are kept; one
 *       with a catch-up running is never dropped.
 * </ul>
 * The session's own acknowledged messages count as seen: they are answered by ACKs, never delivered.
 *
 * <p>Pure bookkeeping: no I/O, no threads, no listener calls (methods return what to deliver). Not
 * thread safe: guarded by the session lock.
 */
final class Cursors {
    /**
     * How many direct conversations are caught up after a reconnect (the most recent ones): each costs a
     * HISTORY request, and the server's default rate limit allows a burst of 100 frames, shared with
     * the rejoins and the resent messages.
     */
    static final int MAX_CAUGHT_UP = 32;

    private final Map<String, RoomCursor> rooms = new LinkedHashMap<>();
    /**
     * By the peer's canonical name, least recently seen first. Past {@value #MAX_CAUGHT_UP}, the least
     * recently seen one without a catch-up running goes.
     */
    private final Map<String, DirectCursor> directs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DirectCursor> eldest) {
            if (size() > MAX_CAUGHT_UP) {
                values().stream().filter(d -> d.held == null).findFirst().ifPresent(d -> values().remove(d));
            }
            return false;
        }
    };

    /** What a catch-up page gave: the messages to deliver now, and where to read next ({@code -1}: done). */
    record Page(List<ChatMessage> deliver, long nextAfter) {
    }

    // ------------------------------------------------------------------ rooms

    /** The application asks to join: a room not known yet starts at {@code since} ({@code -1}: unknown). */
    void joining(String room, long since) {
        rooms.computeIfAbsent(room, r -> new RoomCursor(since));
    }

    /** The application leaves the room (PART), or the server removed the session from it. */
    void left(String room) {
        rooms.remove(key(room));
    }

    /** The rooms the session is in or joining, canonical names in join order. */
    Set<String> roomNames() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(rooms.keySet()));
    }

    /** The last seq delivered or acknowledged in the room, if known. */
    OptionalLong lastSeq(String room) {
        RoomCursor rm = rooms.get(key(room));
        return rm == null || rm.last < 0 ? OptionalLong.empty() : OptionalLong.of(rm.last);
    }

    /**
     * The server confirmed a JOIN at {@code head}. A head below the cursor means the server lost its
     * messages (an in-memory server restarted): everything after its head is new.
     */
    void joined(String room, long head) {
        RoomCursor rm = rooms.get(key(room));
        if (rm == null) {
            return;
        }
        rm.joined = true;
        if (rm.last > head) {
            rm.last = head;
            rm.ownAbove.clear();
        } else if (rm.last < 0 && head == 0) {
            rm.last = 0;
        }
    }

    /**
     * A JOIN was refused. A room never joined is forgotten. A room the session was in is forgotten
     * too when the refused JOIN was the session's own rejoin after a reconnect.
     *
     * @return true when the session lost a room it was in (the listener hears {@code onLeft})
     */
    boolean joinRefused(String room, boolean rejoin) {
        RoomCursor rm = rooms.get(room);
        if (rm == null) {
            return false;
        }
        if (!rm.joined || rejoin) {
            rooms.remove(room);
            return rm.joined;
        }
        return false;
    }

    /**
     * A room message arrived (live or replayed).
     *
     * @return whether the listener gets it: not when the session is not in the room, nor when it was
     *     delivered before a reconnect
     */
    boolean deliver(ChatMessage m) {
        RoomCursor rm = rooms.get(key(m.room()));
        if (rm == null || (rm.last >= 0 && m.seq() <= rm.last)) {
            return false;
        }
        rm.delivered(m.seq());
        return true;
    }

    /**
     * The server will not replay {@code ..to} of the room.
     *
     * @return whether the room is one of the session's (the listener hears {@code onGap})
     */
    boolean gap(String room, long to) {
        RoomCursor rm = rooms.get(key(room));
        if (rm == null) {
            return false;
        }
        rm.delivered(Math.max(rm.last, to));
        return true;
    }

    /** The session's own message got {@code seq} in the room. */
    void ackedRoom(String room, long seq) {
        RoomCursor rm = rooms.get(key(room));
        if (rm != null) {
            rm.acked(seq);
        }
    }

    /** Every room with its cursor ({@code -1}: unknown), in join order: what the rejoins ask for. */
    Map<String, Long> roomPositions() {
        Map<String, Long> out = new LinkedHashMap<>();
        rooms.forEach((name, rm) -> out.put(name, rm.last));
        return out;
    }

    // ------------------------------------------------------------------ direct conversations

    /**
     * A live direct message arrived.
     *
     * @return the message, or nothing while a catch-up of its conversation runs (it is held until then)
     */
    List<ChatMessage> liveDirect(ChatMessage m) {
        DirectCursor d = direct(m.with(), m.seq());
        if (d.held != null) {
            d.held.add(m);
            return List.of();
        }
        d.delivered(m.seq());
        return List.of(m);
    }

    /** The session's own direct message to {@code peer} got {@code seq}. */
    void ackedDirect(String peer, long seq) {
        direct(peer, seq).acked(seq);
    }

    /**
     * The conversations to catch up on after a reconnect, by the peer's name as the server first gave
     * it, with their cursors, least recently seen first.
     */
    Map<String, Long> directPositions() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (DirectCursor d : directs.values()) {
            if (d.last >= 0) {
                out.put(d.peer, d.last);
            }
        }
        return out;
    }

    /** A catch-up of the conversation starts: its live messages are held from now on. */
    void hold(String peer) {
        DirectCursor d = directs.get(userKey(peer));
        if (d != null && d.held == null) {
            d.held = new ArrayList<>();
            d.read = -1;
        }
    }

    /**
     * A catch-up page arrived: what the session had not seen (not its own acknowledged messages, not
     * what it delivered before the drop) is delivered. If the page says there is more, the next page
     * is read after it; otherwise the catch-up ends and the held messages it did not cover follow.
     *
     * @param after the seq the page was read after
     */
    Page caughtUp(String peer, long after, List<ChatMessage> page, boolean more) {
        DirectCursor d = directs.get(userKey(peer));
        if (d == null) {
            return new Page(List.of(), -1);
        }
        List<ChatMessage> deliver = new ArrayList<>();
        long next = after;
        for (ChatMessage m : page) {
            next = Math.max(next, m.seq());
            d.read = Math.max(d.read, m.seq());
            if (m.seq() > d.last && !d.ownAbove.contains(m.seq())) {
                d.delivered(m.seq());
                deliver.add(m);
            }
        }
        if (more && !page.isEmpty()) {
            return new Page(deliver, next);
        }
        deliver.addAll(release(d));
        return new Page(deliver, -1);
    }

    /** A catch-up ended without its answer (refused): the held messages are delivered now. */
    List<ChatMessage> release(String peer) {
        DirectCursor d = directs.get(userKey(peer));
        return d == null ? List.of() : release(d);
    }

    private static List<ChatMessage> release(DirectCursor d) {
        List<ChatMessage> held = d.held;
        d.held = null;
        if (held == null) {
            return List.of();
        }
        List<ChatMessage> deliver = new ArrayList<>();
        for (ChatMessage m : held) {
            if (m.seq() > d.read) {
                d.delivered(m.seq());
                deliver.add(m);
            }
        }
        return deliver;
    }

    /**
     * The conversation with {@code peer}, made when first seen. Its cursor starts just below the
     * first seq seen: what came before this session is history, not something missed.
     */
    private DirectCursor direct(String peer, long firstSeq) {
        DirectCursor d = directs.computeIfAbsent(userKey(peer), k -> new DirectCursor(peer));
        if (d.last < 0) {
            d.last = Math.max(0, firstSeq - 1);
        }
        return d;
    }

    private static String key(String room) {
        return room.toLowerCase(Locale.ROOT);
    }

    /** The canonical form of a user name; the name itself if it is not valid (it names nobody else). */
    static String userKey(String name) {
        try {
            return Names.canonicalUser(name);
        } catch (ProtocolException e) {
            return name;
        }
    }

    /** Everything up to {@link #last} was delivered or is the session's own. */
    private static class Cursor {
        /** The highest seq such that everything up to it was delivered or is ours; -1 when unknown. */
        long last;
        /** Seqs of our own acknowledged messages above {@link #last}. */
        final TreeSet<Long> ownAbove = new TreeSet<>();

        Cursor(long last) {
            this.last = last;
        }

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

    private static final class RoomCursor extends Cursor {
        /** Whether the server confirmed a JOIN of it. */
        boolean joined;

        RoomCursor(long since) {
            super(since);
        }
    }

    private static final class DirectCursor extends Cursor {
        /** The peer as the server first named it. */
        final String peer;
        /** Live messages that arrived while a catch-up runs; null when none runs. */
        List<ChatMessage> held;
        /** The highest seq the running catch-up read, so a held message it already delivered is not repeated. */
        long read = -1;

        DirectCursor(String peer) {
            super(-1);
            this.peer = peer;
        }
    }
}
