package dev.parley.chat.server;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeSet;

/**
 * A room: its members and its ordered delivery. Membership changes, notices and message fan-out all
 * happen under {@link #lock}, so every member sees one order of joins, leaves and messages. Nothing
 * under the lock blocks: sending is {@link Outbound#send}, which never waits on a socket.
 *
 * <p>A joining connection starts as not live: what is delivered while its replay is read from the
 * store goes to its backlog, which {@link #goLive} sends right after the replay. So the replay ends at
 * the head reported in {@code JOINED} and live messages continue from head + 1, with no gap and no
 * duplicate.
 */
final class Room extends Conversation {
    /**
     * How many times {@code directWriteMaxRecipients} a lone SEND still writes directly. 4 (16
     * recipients by default) was measured: light-load p99 fell by 40-50 %, and a room of 12 with five
     * senders flooding kept its throughput, which a plain threshold of 16 cut twelvefold.
     */
    private static final int LONE_SEND_FACTOR = 4;

    final String name;
    private final Hub hub;
    /** Guarded by lock. */
    private final LinkedHashMap<Session, Member> members = new LinkedHashMap<>();
    /** Guarded by lock: connections per identity, for presence notices. */
    private final HashMap<User, Integer> presence = new HashMap<>();
    /**
     * Guarded by lock: the last member left a room that never had a message, and the hub forgot it.
     * Nobody joins a retired room: {@link #join} returns -1 and the caller asks the hub again.
     */
    private boolean retired;

    private static final class Member {
        final Session session;
        boolean live;
        List<byte[]> backlog = new ArrayList<>();
        long backlogBytes;

        Member(Session session) {
            this.session = session;
        }

        void send(byte[] bytes, long limit, boolean direct) {
            if (live) {
                session.out.send(bytes, direct);
            } else if (backlog != null) {
                backlog.add(bytes);
                backlogBytes += bytes.length;
                if (backlogBytes > limit) {
                    backlog = null;
                    session.slowConsumer("join backlog passed " + limit + " bytes");
                }
            }
        }
    }

    Room(String name, Hub hub) {
        super(Conversations.room(name), hub.store);
        this.name = name;
        this.hub = hub;
    }

    /**
     * Adds the session (not live yet) and tells the others if its identity is new here.
     *
     * @return the head: the last seq delivered before this session became a member; -1 if this room
     *     was retired (the caller gets the current one from the hub and joins that)
     */
    long join(Session session, User user) {
        lock.lock();
        try {
            if (retired) { // leave() already removed it from the hub, under this lock
                return -1;
            }
            ensureHead();
            Member m = members.get(session);
            if (m != null) {
                m.live = false;
                m.backlog = new ArrayList<>();
                m.backlogBytes = 0;
                return deliveredHead();
            }
            members.put(session, new Member(session));
            if (presence.merge(user, 1, Integer::sum) == 1) {
                byte[] notice = Wire.encode(Frame.of("JOINED").with("room", name).with("name", user.name));
                broadcast(notice, session);
                hub.events.post(l -> l.joined(name, user.name));
            }
            return deliveredHead();
        } finally {
            lock.unlock();
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

    /** Removes the session; tells the others if it was its identity's last connection here. */
    boolean leave(Session session, User user, String reason) {
        lock.lock();
        try {
            if (members.remove(session) == null) {
                return false;
            }
            int left = presence.merge(user, -1, Integer::sum);
            if (left <= 0) {
                presence.remove(user);
                byte[] notice = Wire.encode(Frame.of("LEFT").with("room", name).with("name", user.name)
                        .with("reason", reason));
                broadcast(notice, session);
                hub.events.post(l -> l.left(name, user.name, reason));
            }
            if (members.isEmpty() && empty()) {
                // Rooms joined and left without a message would otherwise pile up for good (a client
                // can name a new one with every JOIN): forget it. Its head is 0 in the store, so a
                // later JOIN makes a fresh one that is the same room to everybody.
                retired = true;
                hub.forget(this);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock. Returns how many members it was sent to. */
    private int broadcast(byte[] bytes, Session except) {
        long limit = hub.settings.outboundQueueBytes();
        // Few recipients: write on this thread when their queues are idle (latency). Many: queue
        // for all and let their writers merge what accumulates into one write each (throughput).
        // A sender whose read held only this SEND is not part of a burst: up to four times as many
        // recipients are still written directly (BENCHMARKS.md, "rooms and light").
        int recipients = members.size() - (except == null ? 0 : 1);
        int direct = hub.settings.directWriteMaxRecipients();
        boolean writeDirect = recipients <= direct
                || (recipients <= LONE_SEND_FACTOR * direct && except != null && except.loneSend);
        for (Member m : members.values()) {
            if (m.session != except) {
                m.send(bytes, limit, writeDirect);
            }
        }
        return recipients;
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
    void deliverNow(StoredMessage message, Session origin) {
        byte[] bytes = Wire.encode(Frame.of("MSG").with("room", name).with("seq", message.seq())
                .with("from", message.sender()).with("time", Wire.time(message.time())).text(message.text()));
        hub.counters.delivered(broadcast(bytes, origin));
        hub.events.post(l -> l.messageStored(message));
    }

    /** The names present, sorted. */
    List<String> memberNames() {
        lock.lock();
        try {
            TreeSet<String> names = new TreeSet<>();
            for (User u : presence.keySet()) {
                names.add(u.name);
            }
            return List.copyOf(names);
        } finally {
            lock.unlock();
        }
    }

    /** How many identities are present. */
    int memberCount() {
        lock.lock();
        try {
            return presence.size();
        } finally {
            lock.unlock();
        }
    }

    /** A frame for a stored message of this room (replay, history). */
    Frame frame(StoredMessage m) {
        return Frame.of("MSG").with("room", name).with("seq", m.seq()).with("from", m.sender())
                .with("time", Wire.time(m.time())).text(m.text());
    }
}
