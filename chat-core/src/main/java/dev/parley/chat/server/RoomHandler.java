package dev.parley.chat.server;

import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code JOIN} (with its replay) and {@code PART}. Runs on the connection's reader thread; stateless
 * (a connection's rooms are {@link Session#rooms}).
 */
final class RoomHandler {
    private static final Logger log = LoggerFactory.getLogger(RoomHandler.class);
    /** The text of every FORBIDDEN about a room: the same whether or not the room exists. */
    static final String FORBIDDEN_TEXT = "not allowed in that room";

    private final Settings s;
    private final RoomDirectory directory;
    private final MessageStore store;
    private final Fence fence;

    private final Counters counters;
    private final AccessRules access;

    RoomHandler(Settings s, RoomDirectory directory, MessageStore store, Fence fence, Counters counters,
            AccessRules access) {
        this.s = s;
        this.access = access;
        this.counters = counters;
        this.directory = directory;
        this.store = store;
        this.fence = fence;
    }

    void join(Session session, ClientMessage.Join m) {
        Replies replies = session.replies;
        String ref = m.ref();
        String canonical = Names.canonicalRoom(m.room());
        if (!access.room(session, AccessPolicy.Action.JOIN, canonical)) {
            replies.error(ErrorCode.FORBIDDEN, ref, FORBIDDEN_TEXT);
            return;
        }
        if (!session.rooms.containsKey(canonical) && session.rooms.size() >= s.maxRoomsPerConnection()) {
            replies.error(ErrorCode.TOO_MANY_ROOMS, ref, "at most " + s.maxRoomsPerConnection() + " rooms per connection");
            return;
        }
        fence.check();
        Room room;
        long head;
        String address = NewRoomLimit.addressOf(session.remote);
        do { // a room retired meanwhile (its last member left) is replaced by a fresh one
            room = directory.roomFor(canonical, session.user.canonical, address);
            if (room == null) {
                replies.error(ErrorCode.TOO_MANY_ROOMS, ref, "too many new rooms: at most " + s.newRoomsPerMinute()
                        + " a minute after the first " + s.newRoomBurst() + ", per user and per address");
                return;
            }
            head = room.join(session, session.user);
        } while (head < 0);
        if (!access.admitted(session, canonical)) { // removed while joining: RoomAccess missed this member
            room.leave(session, session.user, "removed");
            session.rooms.remove(canonical, room);
            replies.error(ErrorCode.FORBIDDEN, ref, FORBIDDEN_TEXT);
            return;
        }
        session.rooms.put(canonical, room);
        replies.add(new ServerMessage.Joined(canonical, session.user.name, head, ref));
        try {
            replay(replies, room, head, m.since());
        } catch (StoreException e) {
            log.warn("{} replay of {} failed: {}", session.tag(), canonical, e.toString());
            replies.error(ErrorCode.STORE_UNAVAILABLE, ref, "could not replay; use HISTORY");
        } finally {
            replies.flush();
            room.goLive(session);
        }
    }

    private void replay(Replies replies, Room room, long head, Long since) {
        if (head == 0) {
            return;
        }
        List<StoredMessage> messages;
        long readStart = System.nanoTime();
        if (since == null) {
            messages = store.readBefore(room.key, head + 1, s.joinReplay());
        } else {
            if (since >= head) {
                return;
            }
            long from = since + 1;
            if (head - since > s.maxReplay()) {
                long to = head - s.maxReplay();
                replies.add(new ServerMessage.Gap(room.name, from, to, "limit"));
                from = to + 1;
            }
            messages = store.readAfter(room.key, from - 1, (int) (head - from + 1));
            long firstSeq = messages.isEmpty() ? head + 1 : messages.get(0).seq();
            if (firstSeq > from) {
                replies.add(new ServerMessage.Gap(room.name, from, firstSeq - 1, "retention"));
            }
        }
        counters.historyRead(ServerMetrics.Read.JOIN_REPLAY, messages.size(), System.nanoTime() - readStart);
        for (StoredMessage msg : messages) {
            if (msg.seq() <= head) {
                replies.add(Wire.msg(room.name, null, msg, null));
            }
        }
    }

    void part(Session session, ClientMessage.Part m) {
        String canonical = Wire.canonicalRoom(m.room());
        Room room = canonical == null ? null : session.rooms.get(canonical);
        if (room == null) {
            session.replies.error(ErrorCode.NOT_IN_ROOM, m.ref(), "not in that room");
            return;
        }
        room.leave(session, session.user, "part");
        session.rooms.remove(canonical);
        session.replies.add(new ServerMessage.Left(canonical, session.user.name, "part", m.ref()));
    }
}
