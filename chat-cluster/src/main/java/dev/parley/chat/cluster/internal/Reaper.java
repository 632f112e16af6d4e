package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ends a node's incarnation in ONE transaction: every membership of its connections is removed, a
 * {@code LEFT} event is written for each identity whose last connection in a room that was, its names
 * are released, and the node row is marked {@code dead} (reaped) or {@code left} (its own clean
 * shutdown). Because it is one transaction, a reaper that dies half-way leaves everything as it was
 * and the next reaper does all of it: each {@code LEFT} happens exactly once.
 *
 * <p>The node row is locked first ({@code FOR UPDATE}): it waits for the node's own transactions in
 * flight (they hold {@code FOR KEY SHARE} on it, see {@link NodeLease#guard}), and after it the node's
 * guard finds the row dead, so nothing the node still tries can commit. Two reapers of the same node
 * serialise on that row; the second finds it no longer alive and does nothing. Presence rows are then
 * locked in (room, name) order and room event rows in room order, the order every other presence
 * transaction uses, so reaping never deadlocks with joins and leaves.
 *
 * <p>The {@code LEFT} events have no origin node: every node delivers them, the reaper's too.
 */
final class Reaper {
    private final Db db;
    private final ClusterTables t;

    Reaper(Db db, ClusterTables t) {
        this.db = db;
        this.t = t;
    }

    /**
     * Reaps {@code nodeId} if it is alive and (unless {@code force}) its lease has expired.
     *
     * @param by the reaping node's id, for the record (0 if none)
     * @param endState {@code dead} or {@code left}
     * @param reason the {@code LEFT} reason for its memberships
     * @return the presence ranges written (to announce after commit), empty if nothing was reaped
     * @throws dev.parley.chat.store.StoreException if the database failed (nothing changed)
     */
    List<Announcement> reap(long nodeId, long by, boolean force, String endState, String reason) {
        return db.transaction("reaping node " + nodeId, c -> {
            // A reaper that stops mid-way must not hold its locks for ever, nor wait for ever on others'.
            try (PreparedStatement ps = db.prepare(c, t.reaperLimits)) {
                ps.executeQuery().close();
            }
            try (PreparedStatement ps = db.prepare(c, t.lockNodeForReap)) {
                ps.setLong(1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || (!force && !rs.getBoolean(1))) {
                        return List.of(); // reaped by someone else already, or renewed meanwhile
                    }
                }
            }
            try (PreparedStatement ps = db.prepare(c, t.lockReapedPresence)) {
                ps.setLong(1, nodeId);
                ps.executeQuery().close();
            }
            // (room, canonical) -> how many of the node's connections were in it
            TreeMap<String, TreeMap<String, Integer>> gone = new TreeMap<>();
            try (PreparedStatement ps = db.prepare(c, t.reapMembers)) {
                ps.setLong(1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        gone.computeIfAbsent(rs.getString(1), r -> new TreeMap<>()).merge(rs.getString(2), 1, Integer::sum);
                    }
                }
            }
            TreeMap<String, List<String>> leftByRoom = new TreeMap<>();
            try (PreparedStatement update = db.prepare(c, t.reapPresence);
                    PreparedStatement delete = db.prepare(c, t.deleteEmptyPresence)) {
                for (Map.Entry<String, TreeMap<String, Integer>> room : gone.entrySet()) {
                    for (Map.Entry<String, Integer> identity : room.getValue().entrySet()) {
                        update.setInt(1, identity.getValue());
                        update.setString(2, room.getKey());
                        update.setString(3, identity.getKey());
                        try (ResultSet rs = update.executeQuery()) {
                            if (rs.next() && rs.getInt(1) <= 0) {
                                leftByRoom.computeIfAbsent(room.getKey(), r -> new ArrayList<>()).add(rs.getString(2));
                                delete.setString(1, room.getKey());
                                delete.setString(2, identity.getKey());
                                delete.executeUpdate();
                            }
                        }
                    }
                }
            }
            List<Announcement> announcements = new ArrayList<>();
            for (Map.Entry<String, List<String>> room : leftByRoom.entrySet()) {
                List<String> names = room.getValue();
                long last = Presences.nextEvents(db, t, c, room.getKey(), names.size());
                long head = Presences.roomHead(db, t, c, room.getKey());
                long event = last - names.size() + 1;
                for (String name : names) {
                    Presences.insertEvent(db, t, c, room.getKey(), event++, "LEFT", name, reason, head, null);
                }
                announcements.add(Announcement.presence(room.getKey(), last - names.size() + 1, last));
            }
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, t.reapHolders)) {
                ps.setLong(1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
            }
            if (!names.isEmpty()) {
                Array array = c.createArrayOf("varchar", names.toArray(new String[0]));
                try (PreparedStatement ps = db.prepare(c, t.deleteNameIfUnheld)) {
                    ps.setArray(1, array);
                    ps.executeUpdate();
                } finally {
                    array.free();
                }
            }
            try (PreparedStatement ps = db.prepare(c, t.endNode)) {
                ps.setString(1, endState);
                ps.setLong(2, by);
                ps.setLong(3, nodeId);
                ps.executeUpdate();
            }
            return announcements;
        });
    }

    /** The alive nodes whose lease the database clock says has expired (id, name), oldest first. */
    List<Long> expired() {
        return db.read("finding expired nodes", c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, t.expired); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        });
    }

    /** Other alive incarnations with this node name (a restarted node's previous self). */
    List<Long> sameName(String name, long except) {
        return db.read("finding earlier incarnations", c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, t.sameName)) {
                ps.setString(1, name);
                ps.setLong(2, except);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    /** Deletes presence events older than {@code keep} and node rows ended over a day ago. */
    void housekeeping(java.time.Duration keep) {
        db.transaction("cluster housekeeping", c -> {
            try (PreparedStatement ps = db.prepare(c, t.forgetOldEvents)) {
                ps.setString(1, keep.toMillis() + " milliseconds");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = db.prepare(c, t.forgetOldNodes)) {
                ps.executeUpdate();
            }
            return null;
        });
    }
}
