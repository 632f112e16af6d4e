package dev.parley.chat.cluster.internal;

import dev.parley.chat.store.Conversations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** The statements presence transitions share (joins, leaves and the reaper). */
final class Presences {
    private Presences() {
    }

    /**
     * Numbers {@code count} new events of a room: locks the room's event row (created if missing) until
     * commit, so events of one room commit in number order, and returns the last new number.
     */
    static long nextEvents(Db db, ClusterTables t, Connection c, String room, int count) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, t.nextEvents)) {
            ps.setString(1, room);
            ps.setLong(2, count);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The room's last event number, 0 if it never had one. */
    static long lastEvent(Db db, ClusterTables t, Connection c, String room) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, t.lastEvent)) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The room's message head (last committed seq), 0 if it has no message. */
    static long roomHead(Db db, ClusterTables t, Connection c, String room) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, t.roomHead)) {
            ps.setString(1, Conversations.room(room));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static void insertEvent(Db db, ClusterTables t, Connection c, String room, long event, String kind, String name,
            String reason, long afterSeq, Long origin) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, t.insertEvent)) {
            ps.setString(1, room);
            ps.setLong(2, event);
            ps.setString(3, kind);
            ps.setString(4, name);
            ps.setString(5, reason);
            ps.setLong(6, afterSeq);
            if (origin == null) {
                ps.setNull(7, Types.BIGINT);
            } else {
                ps.setLong(7, origin);
            }
            ps.executeUpdate();
        }
    }
}
