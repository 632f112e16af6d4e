package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import dev.parley.chat.cluster.Doorbell;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.store.StoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Presence} for the whole cluster, in the database: one transaction per claim, release, join
 * or leave, each guarded by the node's lease ({@link NodeLease#guard}).
 *
 * <p><b>Names.</b> A name row per canonical name, with the identity holding it (the primary key makes
 * it one identity cluster-wide), a key row per {@linkplain Names#confusableKeys confusable key} (the
 * primary key makes look-alikes of a name online unclaimable) and a holder row per connection; the
 * connections of one identity (authenticated, or anonymous and resumed) share its name, on any nodes.
 * The last holder's release deletes the name and, by cascade, its keys.
 *
 * <p><b>Rooms.</b> A member row per connection and room, and per room and identity a count of
 * connections, moved under its row lock: the count's 0-&gt;1 and 1-&gt;0 are the cluster-wide
 * transitions, decided exactly once. Each writes a numbered presence event of the room (with the room's
 * message head as {@code afterSeq}) in the same transaction, and the doorbell announces it after
 * commit.
 *
 * <p><b>Failures.</b> A failed claim or join throws ({@code STORE_UNAVAILABLE} for the client). A
 * failed leave or release must not fail visibly: it is queued and retried on every lease tick until it
 * succeeds (a retried leave's event has no origin, so every node, this one included, delivers it), or
 * the node is fenced, after which the reaper of its incarnation does it. A fenced node's leaves and
 * releases are only noted locally.
 */
final class ClusterPresence implements Presence {
    private static final Logger log = LoggerFactory.getLogger(ClusterPresence.class);

    private final Db db;
    private final ClusterTables t;
    private final NodeLease lease;
    private final Doorbell doorbell;
    private final Inbound inbound;
    /** Leaves and releases to retry: they ran while the database failed. */
    private final ConcurrentLinkedQueue<Runnable> deferred = new ConcurrentLinkedQueue<>();

    ClusterPresence(Db db, ClusterTables tables, NodeLease lease, Doorbell doorbell, Inbound inbound) {
        this.db = db;
        this.t = tables;
        this.lease = lease;
        this.doorbell = doorbell;
        this.inbound = inbound;
    }

    // ------------------------------------------------------------------ names

    @Override
    public boolean claimName(String name, String canonicalName, String identity, long connectionId) {
        long me = lease.id();
        List<String> keys = Names.confusableKeys(name).stream().sorted().toList(); // one lock order for all claims
        return db.transaction("claiming name " + canonicalName, c -> {
            lease.guard(c);
            while (true) {
                boolean created;
                try (PreparedStatement ps = db.prepare(c, t.insertName)) {
                    ps.setString(1, canonicalName);
                    ps.setString(2, name);
                    ps.setBoolean(3, identity.equals(canonicalName)); // read by version 1 nodes
                    ps.setString(4, identity);
                    created = ps.executeUpdate() == 1;
                }
                if (created) {
                    // A key held by another name (waiting for its claim to commit or roll back first)
                    // means a look-alike is online: undo the name, its keys go with it.
                    for (String key : keys) {
                        try (PreparedStatement ps = db.prepare(c, t.insertNameKey)) {
                            ps.setString(1, key);
                            ps.setString(2, canonicalName);
                            if (ps.executeUpdate() == 0) {
                                try (PreparedStatement del = db.prepare(c, t.deleteName)) {
                                    del.setString(1, canonicalName);
                                    del.executeUpdate();
                                }
                                return false;
                            }
                        }
                    }
                } else {
                    String holder = null;
                    boolean found = false;
                    try (PreparedStatement ps = db.prepare(c, t.lockName)) {
                        ps.setString(1, canonicalName);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) {
                                found = true;
                                holder = rs.getString(1);
                            }
                        }
                    }
                    if (!found) {
                        continue; // released between our insert and our lock: try again
                    }
                    if (!identity.equals(holder)) {
                        return false;
                    }
                }
                try (PreparedStatement ps = db.prepare(c, t.insertHolder)) {
                    ps.setLong(1, me);
                    ps.setLong(2, connectionId);
                    ps.setString(3, canonicalName);
                    ps.executeUpdate();
                }
                return true;
            }
        });
    }

    @Override
    public void releaseName(String canonicalName, long connectionId) {
        long me = lease.id();
        if (lease.fenced()) {
            return; // the reaper of this incarnation releases it
        }
        Runnable release = () -> db.transaction("releasing name " + canonicalName, c -> {
            lease.guard(c);
            try (PreparedStatement ps = db.prepare(c, t.deleteHolder)) {
                ps.setLong(1, me);
                ps.setLong(2, connectionId);
                ps.setString(3, canonicalName);
                ps.executeUpdate();
            }
            Array names = c.createArrayOf("varchar", new String[] {canonicalName});
            try (PreparedStatement ps = db.prepare(c, t.deleteNameIfUnheld)) {
                ps.setArray(1, names);
                ps.executeUpdate();
            } finally {
                names.free();
            }
            return null;
        });
        runOrDefer(release, me, "release of name " + canonicalName);
    }

    @Override
    public Holder holder(String canonicalName) {
        return db.read("looking up name " + canonicalName, c -> {
            try (PreparedStatement ps = db.prepare(c, t.holderName)) {
                ps.setString(1, canonicalName);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Holder(rs.getString(1), rs.getString(2)) : null;
                }
            }
        });
    }

    // ------------------------------------------------------------------ rooms

    private record Outcome(boolean transition, long lastEvent) {
    }

    @Override
    public boolean join(String room, String name, String canonicalName, long connectionId) {
        long me = lease.id();
        Outcome o = db.transaction("joining " + room, c -> {
            lease.guard(c);
            try (PreparedStatement ps = db.prepare(c, t.insertMember)) {
                ps.setLong(1, me);
                ps.setLong(2, connectionId);
                ps.setString(3, room);
                ps.setString(4, canonicalName);
                if (ps.executeUpdate() == 0) {
                    return new Outcome(false, Presences.lastEvent(db, t, c, room)); // joined already
                }
            }
            int connections;
            try (PreparedStatement ps = db.prepare(c, t.addConnection)) {
                ps.setString(1, room);
                ps.setString(2, canonicalName);
                ps.setString(3, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    connections = rs.getInt(1);
                }
            }
            if (connections != 1) {
                return new Outcome(false, Presences.lastEvent(db, t, c, room));
            }
            return new Outcome(true, event(c, room, "JOINED", name, null, me));
        });
        inbound.joined(room, o.lastEvent());
        if (o.transition()) {
            doorbell.announce(Announcement.presence(room, o.lastEvent(), o.lastEvent()));
        }
        return o.transition();
    }

    @Override
    public boolean leave(String room, String name, String canonicalName, long connectionId, String reason) {
        long me = lease.id();
        inbound.left(room);
        if (lease.fenced()) {
            return false; // the reaper of this incarnation writes the LEFT, for every node
        }
        try {
            Outcome o = leaveNow(room, canonicalName, connectionId, reason, me, me);
            if (o.transition()) {
                doorbell.announce(Announcement.presence(room, o.lastEvent(), o.lastEvent()));
            }
            return o.transition();
        } catch (StoreException e) {
            if (lease.fenced() || Db.isFenced(e)) {
                return false;
            }
            log.warn("Leaving {} failed ({}); retrying in the background", room, e.getMessage());
            // Retried later with no origin: every node, this one included, then delivers its LEFT.
            deferred.add(() -> {
                Outcome o = leaveNow(room, canonicalName, connectionId, reason, me, null);
                if (o.transition()) {
                    Announcement a = Announcement.presence(room, o.lastEvent(), o.lastEvent());
                    doorbell.announce(a);
                    inbound.local(List.of(a));
                }
            });
            return false;
        }
    }

    private Outcome leaveNow(String room, String canonicalName, long connectionId, String reason, long me, Long origin) {
        return db.transaction("leaving " + room, c -> {
            lease.guard(c);
            try (PreparedStatement ps = db.prepare(c, t.deleteMember)) {
                ps.setLong(1, me);
                ps.setLong(2, connectionId);
                ps.setString(3, room);
                if (ps.executeUpdate() == 0) {
                    return new Outcome(false, 0); // not a member (left already)
                }
            }
            int connections;
            String name;
            try (PreparedStatement ps = db.prepare(c, t.removeConnection)) {
                ps.setString(1, room);
                ps.setString(2, canonicalName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new Outcome(false, 0);
                    }
                    connections = rs.getInt(1);
                    name = rs.getString(2);
                }
            }
            if (connections > 0) {
                return new Outcome(false, 0);
            }
            try (PreparedStatement ps = db.prepare(c, t.deletePresence)) {
                ps.setString(1, room);
                ps.setString(2, canonicalName);
                ps.executeUpdate();
            }
            return new Outcome(true, event(c, room, "LEFT", name, reason, origin));
        });
    }

    /** Writes the room's next presence event and returns its number. */
    private long event(Connection c, String room, String kind, String name, String reason, Long origin)
            throws SQLException {
        long number = Presences.nextEvents(db, t, c, room, 1);
        long head = Presences.roomHead(db, t, c, room);
        Presences.insertEvent(db, t, c, room, number, kind, name, reason, head, origin);
        return number;
    }

    @Override
    public List<String> members(String room) {
        return db.read("listing " + room, c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, t.members)) {
                ps.setString(1, room);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
            }
            return names;
        });
    }

    @Override
    public Map<String, Integer> rooms() {
        return db.read("listing rooms", c -> {
            Map<String, Integer> rooms = new HashMap<>();
            try (PreparedStatement ps = db.prepare(c, t.rooms); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rooms.put(rs.getString(1), rs.getInt(2));
                }
            }
            return rooms;
        });
    }

    // ------------------------------------------------------------------ deferred work

    private void runOrDefer(Runnable work, long me, String what) {
        try {
            work.run();
        } catch (StoreException e) {
            if (lease.fenced() || Db.isFenced(e) || lease.id() != me) {
                return;
            }
            log.warn("{} failed ({}); retrying in the background", what, e.getMessage());
            deferred.add(work);
        }
    }

    /** Retries deferred leaves and releases (on the lease loop's thread). */
    void retryDeferred() {
        int n = deferred.size();
        for (int i = 0; i < n; i++) {
            Runnable work = deferred.poll();
            if (work == null) {
                return;
            }
            try {
                work.run();
            } catch (StoreException e) {
                if (lease.fenced() || Db.isFenced(e)) {
                    deferred.clear(); // the reaper of this incarnation takes over
                    return;
                }
                deferred.add(work);
                return; // the database still fails: try again next tick
            }
        }
    }

    /** The node was fenced: what was deferred belongs to the reaper now. */
    void fenced() {
        deferred.clear();
    }
}
