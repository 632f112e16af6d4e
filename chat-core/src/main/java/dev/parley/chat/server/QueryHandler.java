package dev.parley.chat.server;

import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.StoredMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The read-only requests: {@code HISTORY}, {@code WHO} and {@code ROOMS}. Runs on the connection's
 * reader thread; stateless.
 */
final class QueryHandler {
    /** HISTORY's page when the request names no limit. */
    static final int DEFAULT_HISTORY_LIMIT = 50;

    private final Settings s;
    private final RoomDirectory directory;
    private final Users users;
    private final MessageStore store;

    private final Counters counters;
    private final AccessRules access;

    QueryHandler(Settings s, RoomDirectory directory, Users users, MessageStore store, Counters counters,
            AccessRules access) {
        this.s = s;
        this.access = access;
        this.counters = counters;
        this.directory = directory;
        this.users = users;
        this.store = store;
    }

    void history(Session session, ClientMessage.History m) {
        Replies replies = session.replies;
        String ref = m.ref();
        int limit = Math.min(m.limit() == null ? DEFAULT_HISTORY_LIMIT : m.limit(), s.maxHistoryLimit());
        String key;
        String room = null;
        String with = null;
        if (m.room() != null) {
            String canonical = Wire.canonicalRoom(m.room());
            if (canonical != null && !access.room(session, AccessPolicy.Action.HISTORY, canonical)) {
                replies.error(ErrorCode.FORBIDDEN, ref, RoomHandler.FORBIDDEN_TEXT);
                return;
            }
            Room joined = canonical == null ? null : session.rooms.get(canonical);
            if (joined == null) {
                replies.error(ErrorCode.NOT_IN_ROOM, ref, "join the room first");
                return;
            }
            key = joined.key;
            room = joined.name;
        } else {
            String other = Wire.canonicalUser(m.with());
            if (other == null) {
                replies.add(new ServerMessage.End(0, false, ref));
                return;
            }
            // The conversation with whoever holds the name now; if nobody does, with the authenticated
            // identity of that name (an anonymous identity that ended cannot be named any more).
            Presence.Holder holder = users.holder(other);
            with = holder != null ? holder.name() : m.with();
            key = Conversations.direct(session.user.identity, holder != null ? holder.identity() : other);
        }
        List<StoredMessage> messages;
        boolean more;
        long readStart = System.nanoTime();
        if (m.after() != null) {
            messages = store.readAfter(key, m.after(), limit + 1);
            more = messages.size() > limit;
            if (more) {
                messages = messages.subList(0, limit);
            }
        } else {
            messages = store.readBefore(key, m.before() != null ? m.before() : Long.MAX_VALUE, limit + 1);
            more = messages.size() > limit;
            if (more) {
                messages = messages.subList(messages.size() - limit, messages.size());
            }
        }
        counters.historyRead(ServerMetrics.Read.HISTORY, messages.size(), System.nanoTime() - readStart);
        messages = new ArrayList<>(messages);
        messages.sort(Comparator.comparingLong(StoredMessage::seq));
        for (StoredMessage msg : messages) {
            replies.add(Wire.msg(room, with, msg, ref));
        }
        replies.add(new ServerMessage.End(messages.size(), more, ref));
    }

    void who(Session session, ClientMessage.Who m) {
        String canonical = Wire.canonicalRoom(m.room());
        if (canonical != null && !access.room(session, AccessPolicy.Action.WHO, canonical)) {
            session.replies.error(ErrorCode.FORBIDDEN, m.ref(), RoomHandler.FORBIDDEN_TEXT);
            return;
        }
        List<String> names = canonical == null ? null : directory.members(canonical);
        if (names == null) {
            session.replies.error(ErrorCode.NO_SUCH_ROOM, m.ref(), "no such room");
            return;
        }
        for (String n : names) {
            session.replies.add(new ServerMessage.Member(canonical, n, m.ref()));
        }
        session.replies.add(new ServerMessage.End(names.size(), false, m.ref()));
    }

    void rooms(Session session, ClientMessage.Rooms m) {
        int limit = Math.min(m.limit() == null ? s.roomsPageSize() : m.limit(), s.roomsPageSize());
        List<Map.Entry<String, Integer>> page = new ArrayList<>(Math.min(limit, 64));
        boolean more = page(directory.roomList(), m.after(), limit,
                name -> access.room(session, AccessPolicy.Action.LIST, name), page);
        for (Map.Entry<String, Integer> room : page) {
            session.replies.add(new ServerMessage.Room(room.getKey(), room.getValue(), m.ref()));
        }
        session.replies.add(new ServerMessage.End(page.size(), more, m.ref()));
    }

    /**
     * One page of a name-sorted room list: into {@code page}, up to {@code limit} rooms that
     * {@code visible} lets through (the access rules: a hidden room is skipped as if it did not
     * exist) and whose names sort after {@code after} ({@code null}: from the first).
     *
     * @return whether more visible rooms follow the page
     */
    static boolean page(Map<String, Integer> sorted, String after, int limit, Predicate<String> visible,
            List<Map.Entry<String, Integer>> page) {
        for (Map.Entry<String, Integer> room : sorted.entrySet()) {
            if (after != null && room.getKey().compareTo(after) <= 0) {
                continue;
            }
            if (!visible.test(room.getKey())) {
                continue;
            }
            if (page.size() == limit) {
                return true;
            }
            page.add(Map.entry(room.getKey(), room.getValue()));
        }
        return false;
    }
}
