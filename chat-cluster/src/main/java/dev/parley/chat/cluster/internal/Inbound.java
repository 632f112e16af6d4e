package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import dev.parley.chat.cluster.Doorbell;
import dev.parley.chat.server.spi.Node;
import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.StoreException;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What reaches this node from the others, handed to the server's {@link Node}.
 *
 * <p><b>Messages.</b> A doorbell's "conversation: seqs from..to" goes straight to
 * {@link Node#messagesStored} (the server reads the rows, if it has recipients, and delivers them in
 * seq order, reading any seq it missed from the store). The highest seq announced per conversation is
 * remembered; a catch-up (after the doorbell says it may have missed some, and every safety poll)
 * reads every conversation's head from the database and announces what went beyond it.
 *
 * <p><b>Presence.</b> Events are read from the database, per room, after the last one this node
 * delivered, so each reaches the server once and in order ({@link Node#presenceChanged}). Only rooms
 * with a connection of this node are followed: the first local join starts at the room's last event
 * as the join's transaction saw it; events written by this node itself are passed over (its server
 * already told its own members), events of a reaper (no origin) are delivered here too.
 *
 * <p>Reading from the database happens on one worker thread ({@code parley-cluster-inbound}), never
 * on the doorbell's thread. {@link #tracked} is guarded by {@link #lock}; the server's {@code Node} is
 * called under it only for presence events, and returns quickly.
 */
final class Inbound implements Doorbell.Receiver {
    private static final Logger log = LoggerFactory.getLogger(Inbound.class);
    private static final String ALL = "\u0000all";

    /** A followed room: how many of this node's connections are in it, and the last event delivered. */
    private static final class Track {
        int local;
        long delivered;
    }

    private final Db db;
    private final ClusterTables t;
    private final LongSupplier me;
    private volatile Node node;

    /** Highest seq known committed per conversation. */
    private final Map<String, Long> heads = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by lock. */
    private final Map<String, Track> tracked = new HashMap<>();
    /** Guarded by lock: rooms to catch up, or {@link #ALL}. */
    private final LinkedHashSet<String> pending = new LinkedHashSet<>();
    /** Guarded by lock. */
    private boolean closed;
    private Thread worker;

    Inbound(Db db, ClusterTables tables, LongSupplier me) {
        this.db = db;
        this.t = tables;
        this.me = me;
    }

    /** Reads every conversation's head (nothing is announced for what is already there) and starts the worker. */
    void start(Node node) {
        this.node = node;
        heads.putAll(readHeads());
        worker = Thread.ofVirtual().name("parley-cluster-inbound").start(this::work);
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (worker != null) {
            try {
                worker.join(java.time.Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ from the doorbell

    @Override
    public void received(List<Announcement> announcements) {
        Node n = node;
        if (n == null) {
            return;
        }
        for (Announcement a : announcements) {
            switch (a.kind()) {
                case MESSAGES -> {
                    heads.merge(a.key(), a.to(), Math::max);
                    n.messagesStored(a.key(), a.from(), a.to());
                }
                case PRESENCE -> {
                    if (follows(a.key())) {
                        schedule(a.key());
                    }
                }
                case KICK -> n.kick(a.key());
            }
        }
    }

    @Override
    public void mayHaveMissed() {
        schedule(ALL);
    }

    /** The safety poll: catch up with everything, as after a lost doorbell. */
    void poll() {
        schedule(ALL);
    }

    // ------------------------------------------------------------------ from this node

    /** This node committed messages up to {@code seq} in a conversation (its server delivers them). */
    void published(String conversation, long seq) {
        heads.merge(conversation, seq, Math::max);
    }

    /**
     * One of this node's connections is in {@code room} now; {@code lastEvent} is the room's last event
     * as the join's transaction saw it (the join's own event included).
     */
    void joined(String room, long lastEvent) {
        lock.lock();
        try {
            Track track = tracked.get(room);
            if (track == null) {
                track = new Track();
                track.delivered = lastEvent;
                tracked.put(room, track);
                pending.add(room); // events committed between the join's read and now
                work.signal();
            }
            track.local++;
        } finally {
            lock.unlock();
        }
    }

    /** One of this node's connections left {@code room}. */
    void left(String room) {
        lock.lock();
        try {
            Track track = tracked.get(room);
            if (track != null && --track.local <= 0) {
                tracked.remove(room);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The node was fenced: its connections are gone, no room is followed any more. */
    void reset() {
        lock.lock();
        try {
            tracked.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Events written here for everyone (a reaper's): deliver them here too. */
    void local(List<Announcement> events) {
        for (Announcement a : events) {
            if (follows(a.key())) {
                schedule(a.key());
            }
        }
    }

    private boolean follows(String room) {
        lock.lock();
        try {
            return tracked.containsKey(room);
        } finally {
            lock.unlock();
        }
    }

    private void schedule(String room) {
        lock.lock();
        try {
            pending.add(room);
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ worker thread

    private void work() {
        while (true) {
            List<String> rooms;
            lock.lock();
            try {
                while (pending.isEmpty() && !closed) {
                    work.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                rooms = new ArrayList<>(pending);
                pending.clear();
            } finally {
                lock.unlock();
            }
            try {
                if (rooms.contains(ALL)) {
                    catchUpMessages();
                    rooms = catchUpRooms();
                }
                for (String room : rooms) {
                    if (!room.equals(ALL)) {
                        deliverEvents(room);
                    }
                }
            } catch (StoreException e) {
                log.warn("Catching up with the cluster failed ({}); the next poll retries", e.getMessage());
            } catch (RuntimeException e) {
                log.error("Catching up with the cluster failed", e);
            }
        }
    }

    private Map<String, Long> readHeads() {
        return db.read("reading conversation heads", c -> {
            Map<String, Long> found = new HashMap<>();
            try (PreparedStatement ps = db.prepare(c, t.heads); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getLong(2));
                }
            }
            return found;
        });
    }

    private void catchUpMessages() {
        Node n = node;
        for (Map.Entry<String, Long> e : readHeads().entrySet()) {
            long known = heads.getOrDefault(e.getKey(), 0L);
            if (e.getValue() > known) {
                heads.merge(e.getKey(), e.getValue(), Math::max);
                n.messagesStored(e.getKey(), known + 1, e.getValue());
            }
        }
    }

    /** The followed rooms whose last event is beyond what this node delivered. */
    private List<String> catchUpRooms() {
        Map<String, Long> delivered = new HashMap<>();
        lock.lock();
        try {
            tracked.forEach((room, track) -> delivered.put(room, track.delivered));
        } finally {
            lock.unlock();
        }
        if (delivered.isEmpty()) {
            return List.of();
        }
        return db.read("reading presence positions", c -> {
            List<String> behind = new ArrayList<>();
            Array rooms = c.createArrayOf("varchar", delivered.keySet().toArray(new String[0]));
            try (PreparedStatement ps = db.prepare(c, t.lastEvents)) {
                ps.setArray(1, rooms);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getLong(2) > delivered.get(rs.getString(1))) {
                            behind.add(rs.getString(1));
                        }
                    }
                }
            } finally {
                rooms.free();
            }
            return behind;
        });
    }

    private record Event(long number, PresenceEvent event, long origin) {
    }

    private void deliverEvents(String room) {
        long from;
        lock.lock();
        try {
            Track track = tracked.get(room);
            if (track == null) {
                return;
            }
            from = track.delivered;
        } finally {
            lock.unlock();
        }
        List<Event> events = db.read("reading presence events", c -> {
            List<Event> found = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, t.eventsAfter)) {
                ps.setString(1, room);
                ps.setLong(2, from);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String kind = rs.getString(2);
                        PresenceEvent e = kind.equals("JOINED")
                                ? PresenceEvent.joined(room, rs.getString(3), rs.getLong(5))
                                : PresenceEvent.left(room, rs.getString(3), rs.getString(4), rs.getLong(5));
                        long origin = rs.getLong(6);
                        found.add(new Event(rs.getLong(1), e, rs.wasNull() ? 0 : origin));
                    }
                }
            }
            return found;
        });
        Node n = node;
        long self = me.getAsLong();
        lock.lock();
        try {
            Track track = tracked.get(room);
            if (track == null) {
                return;
            }
            for (Event e : events) {
                if (e.number() <= track.delivered) {
                    continue;
                }
                track.delivered = e.number();
                if (e.origin() != self) {
                    n.presenceChanged(e.event());
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
