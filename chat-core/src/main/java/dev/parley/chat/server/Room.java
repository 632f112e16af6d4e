package dev.parley.chat.server;

import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room on this server: its local members and its ordered delivery. Message fan-out and notices
 * happen under {@link #lock}, so every member sees one order of joins, leaves and messages; nothing
 * under it blocks ({@link Outbound#send} never waits on a socket).
 *
 * <p>Joins and leaves also take {@link #membership} (first), which serialises them per room while
 * {@link Presence} decides whether the identity's presence changed: a cluster's presence may block on
 * its database, and message delivery never waits for it.
 *
 * <p>A joining connection starts as not live: what is delivered while its replay is read from the
 * store goes to its backlog, which {@link #goLive} sends right after the replay. So the replay ends at
 * the head reported in {@code JOINED} and live messages continue from head + 1, with no gap and no
 * duplicate.
 */
final class Room extends Conversation {
    private static final Logger log = LoggerFactory.getLogger(Room.class);
    /**
     * How many times {@code directWriteMaxRecipients} a lone SEND still writes directly. 4 (16
     * recipients by default) was measured: light-load p99 fell by 40-50 %, and a room of 12 with five
     * senders flooding kept its throughput, which a plain threshold of 16 cut twelvefold.
     */
    private static final int LONE_SEND_FACTOR = 4;

    final String name;
    private final Presence presence;
    private final RoomDirectory directory;
    private final Events events;
    private final long outboundLimit;
    private final int directWriteMaxRecipients;
    /** Taken before {@link #lock} by joins and leaves, never by delivery. */
    private final ReentrantLock membership = new ReentrantLock();
    /** Guarded by lock. */
    private final LinkedHashMap<Session, Member> members = new LinkedHashMap<>();
    /**
     * Guarded by lock (changed under membership too): the last member left a room that never had a
     * message, and the directory forgot it. Nobody joins a retired room: {@link #join} returns -1.
     */
    private boolean retired;
    /**
     * What making this room took from its creator's new-room limit, given back if the room is
     * forgotten; {@code null} for a room nobody was charged for (loaded from the store, or made for a
     * message from elsewhere). Set before the room is published in the directory.
     */
    NewRoomLimit.Charge charge;

    private static final class Member {
        final Session session;
        boolean live;
        List<byte[]> backlog = new ArrayList<>();
        long backlogBytes;

        Member(Session session) {
            this.session = session;
        }

        void send(List<byte[]> frames, long limit, boolean direct) {
            if (live) {
                session.out.send(frames, direct);
            } else {
                for (byte[] f : frames) {
                    addToBacklog(f, limit);
                }
            }
        }

        private void addToBacklog(byte[] bytes, long limit) {
            if (backlog != null) {
                backlog.add(bytes);
                backlogBytes += bytes.length;
                if (backlogBytes > limit) {
                    backlog = null;
                    session.slowConsumer("join backlog passed " + limit + " bytes");
                }
            }
        }
    }

    Room(String name, Conversation.Env env, Presence presence, RoomDirectory directory, Events events, Settings s) {
        super(Conversations.room(name), env);
        this.name = name;
        this.presence = presence;
        this.directory = directory;
        this.events = events;
        this.outboundLimit = s.outboundQueueBytes();
        this.directWriteMaxRecipients = s.directWriteMaxRecipients();
    }

    /**
     * Adds the connection (not live yet) and tells the others if its identity is new in the room.
     *
     * @return the head: the last seq delivered before the connection became a member; -1 if this
     *     room was retired (the caller gets the current one from the directory and joins that)
     * @throws dev.parley.chat.store.StoreException if the head or presence could not be read;
     *     nothing changed
     */
    long join(Session session, User user) {
        membership.lock();
        try {
            lock.lock();
            try {
                if (retired) {
                    return -1;
                }
                ensureHead();
                Member m = members.get(session);
                if (m != null) { // joined again: replay again, nobody is told
                    m.live = false;
                    m.backlog = new ArrayList<>();
                    m.backlogBytes = 0;
                    return deliveredHead();
                }
            } finally {
                lock.unlock();
            }
            boolean first = presence.join(name, user.name, user.canonical, session.id);
            lock.lock();
            try {
                members.put(session, new Member(session));
                if (first) {
                    broadcast(Wire.encode(new ServerMessage.Joined(name, user.name, null, null)), session);
                    events.post(l -> l.joined(name, user.name));
                }
                return deliveredHead();
            } finally {
                lock.unlock();
            }
        } finally {
            membership.unlock();
        }
    }

    /** Sends the backlog gathered during the replay and makes the member live. */
    void goLive(Session session) {
        lock.lock();
        try {
            Member m = members.get(session);
            if (m == null || m.live) {
                return;
            }
            if (m.backlog != null) {
                session.out.send(m.backlog);
            }
            m.backlog = null;
            m.live = true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the connection; tells the others if it was its identity's last one in the room. */
    boolean leave(Session session, User user, String reason) {
        membership.lock();
        try {
            lock.lock();
            try {
                if (members.remove(session) == null) {
                    return false;
                }
            } finally {
                lock.unlock();
            }
            boolean last;
            try {
                last = presence.leave(name, user.name, user.canonical, session.id, reason);
            } catch (RuntimeException e) {
                log.warn("{} presence failed to record that {} left {}", session.tag(), user.canonical, name, e);
                last = false;
            }
            lock.lock();
            try {
                if (last) {
                    broadcast(Wire.encode(new ServerMessage.Left(name, user.name, reason, null)), null);
                    events.post(l -> l.left(name, user.name, reason));
                }
                if (members.isEmpty() && empty()) {
                    // Rooms joined and left without a message would otherwise pile up for good (a client
                    // can name a new one with every JOIN): forget it. Its head is 0 in the store, so a
                    // later JOIN makes a fresh one that is the same room to everybody.
                    retired = true;
                    directory.forget(this);
                }
            } finally {
                lock.unlock();
            }
            return true;
        } finally {
            membership.unlock();
        }
    }

    /** Guarded by lock. */
    private int broadcast(byte[] bytes, Session except) {
        return broadcast(List.of(bytes), except);
    }

    /** Guarded by lock: frames in order to every member but {@code except}, one queue operation each. */
    private int broadcast(List<byte[]> frames, Session except) {
        int recipients = members.size() - (except == null ? 0 : 1);
        boolean writeDirect = writeDirect(recipients, except);
        for (Member m : members.values()) {
            if (m.session != except) {
                m.send(frames, outboundLimit, writeDirect);
            }
        }
        return recipients;
    }

    private boolean writeDirect(int recipients, Session except) {
        // Few recipients: write on this thread when their queues are idle (latency). Many: queue
        // for all and let their writers merge what accumulates into one write each (throughput).
        // A sender whose read held only this SEND is not part of a burst: up to four times as many
        // recipients are still written directly (BENCHMARKS.md, "rooms and light").
        int direct = directWriteMaxRecipients;
        return recipients <= direct
                || (recipients <= LONE_SEND_FACTOR * direct && except != null && except.loneSend);
    }

    /**
     * The outbound queues of live members other than {@code except} holding more than
     * {@code highWater} bytes while their writers still make progress (not blocked in one write for
     * longer than {@code blockedNanos}): recipients the server itself is behind on.
     */
    List<Outbound> congested(Session except, long highWater, long blockedNanos) {
        List<Outbound> out = null;
        lock.lock();
        try {
            for (Member m : members.values()) {
                Outbound o = m.session.out;
                if (m.session != except && m.live && o.queued() > highWater && !o.writeBlockedLongerThan(blockedNanos)) {
                    if (out == null) {
                        out = new ArrayList<>();
                    }
                    out.add(o);
                }
            }
        } finally {
            lock.unlock();
        }
        return out == null ? List.of() : out;
    }

    @Override
    void deliverNow(StoredMessage message, Session origin, boolean local) {
        deliverRun(List.of(message), origin, local);
    }

    @Override
    void deliverRun(List<StoredMessage> messages, Session origin, boolean local) {
        List<byte[]> frames = new ArrayList<>(messages.size());
        for (StoredMessage m : messages) {
            frames.add(Wire.msg(name, null, m, null));
        }
        counters().delivered(broadcast(frames, origin) * messages.size());
        if (local) {
            for (StoredMessage m : messages) {
                events.post(l -> l.messageStored(m));
            }
        }
    }

    @Override
    void deliverNotice(PresenceEvent e) {
        ServerMessage notice = e.kind() == PresenceEvent.Kind.JOINED
                ? new ServerMessage.Joined(name, e.name(), null, null)
                : new ServerMessage.Left(name, e.name(), e.reason(), null);
        broadcast(Wire.encode(notice), null);
    }

    /** The connections in the room now (for {@link RoomAccess}). */
    List<Session> sessions() {
        lock.lock();
        try {
            return List.copyOf(members.keySet());
        } finally {
            lock.unlock();
        }
    }

    @Override
    boolean hasRecipients() {
        return !members.isEmpty();
    }
}
