package dev.parley.chat.cluster;

import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.store.Conversations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * A black-box checker of a cluster run, from what the clients received over the raw protocol and
 * what the database holds. Each check returns the violations it found (empty: the property holds):
 * <ul>
 *   <li>per room, the stored seqs are exactly 1..max;</li>
 *   <li>every acknowledged id is stored once, with its acknowledged seq (and every ACK of an id named
 *       the same seq);</li>
 *   <li>each client's deliveries are contiguous: within a connection a room's MSGs come in increasing
 *       seq, and over all of a user's connections every seq from the first it saw to the last MSG it
 *       got is there (as MSG, as ACK of its own, or announced by GAP), none twice;</li>
 *   <li>presence notices about one user in one room alternate (no JOINED twice, no LEFT twice) on
 *       every connection, and each membership of a node that died made exactly one LEFT on every
 *       connection of the other nodes in that room;</li>
 *   <li>no name is held by two live connections at once: a connection is live from its WELCOME until
 *       it ended or its node was stopped or killed;</li>
 *   <li>nothing a node's connection sent was stored after the node was declared dead (past the
 *       {@code afterSeq} of its users' reaper LEFTs).</li>
 * </ul>
 */
final class Checker {
    private final DataSource db;
    private final String schema;

    Checker(DataSource db, String schema) {
        this.db = db;
        this.schema = schema;
    }

    private String table(String name) {
        return "\"" + schema + "\".parley_" + name;
    }

    /** Per room, the stored seqs are exactly 1..max. */
    List<String> storedSeqsAreGapFree() throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<String, List<Long>> seqs = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT conversation, seq FROM " + table("message") + " ORDER BY conversation, seq");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                seqs.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
            }
        }
        for (Map.Entry<String, List<Long>> e : seqs.entrySet()) {
            List<Long> s = e.getValue();
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i) != i + 1) {
                    problems.add(e.getKey() + ": stored seqs are not 1.." + s.size() + " (position " + i + " has " + s.get(i) + ")");
                    break;
                }
            }
        }
        return problems;
    }

    /** Every acknowledged id is stored once with its acknowledged seq; an id's ACKs agree. */
    List<String> acknowledgedAreStoredOnce(List<ChatUser> users) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT seq FROM " + table("message") + " WHERE conversation = ? AND sender = ? AND client_id = ?")) {
            for (ChatUser u : users) {
                for (String conflict : u.ackConflicts()) {
                    problems.add(u + ": one id, two ACKs: " + conflict);
                }
                for (Map.Entry<String, String> e : u.acked().entrySet()) {
                    String[] roomSeq = e.getValue().split(" ");
                    ps.setString(1, Conversations.room(roomSeq[0]));
                    ps.setString(2, u.name);
                    ps.setString(3, e.getKey());
                    List<Long> stored = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            stored.add(rs.getLong(1));
                        }
                    }
                    if (!stored.equals(List.of(Long.parseLong(roomSeq[1])))) {
                        problems.add(u + ": id " + e.getKey() + " acknowledged as " + e.getValue() + ", stored as " + stored);
                    }
                }
            }
        }
        return problems;
    }

    /** Each user's deliveries are in order and contiguous, without duplicates. */
    List<String> deliveriesAreContiguous(List<ChatUser> users) {
        List<String> problems = new ArrayList<>();
        for (ChatUser u : users) {
            problems.addAll(u.duplicates().stream().map(d -> u + ": MSG twice: " + d).toList());
            for (WireClient c : u.sessions()) {
                Map<String, Long> last = new HashMap<>();
                for (WireClient.Received r : c.frames()) {
                    if (r.message() instanceof ServerMessage.Msg m && m.room() != null && m.ref() == null) {
                        Long before = last.put(m.room(), m.seq());
                        if (before != null && m.seq() <= before) {
                            problems.add(c + ": " + m.room() + " MSG seq " + m.seq() + " after " + before);
                        }
                    }
                }
            }
            for (String room : u.rooms()) {
                TreeSet<Long> all = u.covered(room);
                long lastMsg = u.lastMsg(room);
                if (all.isEmpty()) {
                    continue;
                }
                for (long s = all.first(); s <= lastMsg; s++) {
                    if (!all.contains(s)) {
                        problems.add(u + ": " + room + " seq " + s + " never delivered (nor announced by GAP), yet "
                                + lastMsg + " was");
                        break;
                    }
                }
            }
        }
        return problems;
    }

    /** On every connection, JOINED and LEFT notices about one user in one room alternate. */
    List<String> presenceNoticesAlternate(List<ChatUser> users) {
        List<String> problems = new ArrayList<>();
        for (ChatUser u : users) {
            for (WireClient c : u.sessions()) {
                Map<String, String> state = new HashMap<>();
                for (WireClient.Received r : c.frames()) {
                    String key;
                    String kind;
                    if (r.message() instanceof ServerMessage.Joined j && j.head() == null) {
                        key = j.room() + " " + Names.canonicalUser(j.name());
                        kind = "JOINED";
                    } else if (r.message() instanceof ServerMessage.Left l && l.ref() == null
                            && !Names.canonicalUser(l.name()).equals(Names.canonicalUser(u.name))) {
                        key = l.room() + " " + Names.canonicalUser(l.name());
                        kind = "LEFT";
                    } else {
                        continue;
                    }
                    String before = state.put(key, kind);
                    if (kind.equals(before)) {
                        problems.add(c + ": " + kind + " twice in a row for " + key);
                    }
                }
            }
        }
        return problems;
    }

    /**
     * No name held by two live connections at once.
     *
     * @param downAt per node, when (this JVM's monotonic clock) it was killed or stopped; absent if never
     */
    List<String> namesNeverHeldTwice(List<ChatUser> users, Map<Integer, Long> downAt) {
        List<String> problems = new ArrayList<>();
        Map<String, List<long[]>> lives = new HashMap<>();
        Map<String, List<String>> labels = new HashMap<>();
        for (ChatUser u : users) {
            for (WireClient c : u.sessions()) {
                long start = -1;
                for (WireClient.Received r : c.frames()) {
                    if (r.message() instanceof ServerMessage.Welcome) {
                        start = r.nanos();
                        break;
                    }
                }
                if (start < 0) {
                    continue;
                }
                long end = c.ended() ? c.endedAt() : Long.MAX_VALUE;
                Long down = downAt.get(c.node);
                if (down != null && down > start) {
                    end = Math.min(end, down);
                }
                String canonical = Names.canonicalUser(u.name);
                lives.computeIfAbsent(canonical, k -> new ArrayList<>()).add(new long[] {start, end});
                labels.computeIfAbsent(canonical, k -> new ArrayList<>()).add(c.toString());
            }
        }
        for (Map.Entry<String, List<long[]>> e : lives.entrySet()) {
            List<long[]> l = e.getValue();
            for (int i = 0; i < l.size(); i++) {
                for (int j = i + 1; j < l.size(); j++) {
                    if (l.get(i)[0] < l.get(j)[1] && l.get(j)[0] < l.get(i)[1]) {
                        problems.add("name " + e.getKey() + " held by " + labels.get(e.getKey()).get(i) + " and "
                                + labels.get(e.getKey()).get(j) + " at once");
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Nothing a dead node's connection sent was stored after the node was declared dead: of the
     * messages {@code user} sent with these ids on that connection (and nowhere else), none is stored
     * with a seq above {@code leftAfter}, the {@code afterSeq} of the reaper's LEFT for that user in
     * that room.
     */
    List<String> nothingStoredAfterDeath(ChatUser user, String room, long leftAfter, List<String> ids) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT seq FROM " + table("message") + " WHERE conversation = ? AND sender = ? AND client_id = ?")) {
            for (String id : ids) {
                ps.setString(1, Conversations.room(room));
                ps.setString(2, user.name);
                ps.setString(3, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getLong(1) > leftAfter) {
                            problems.add(user + ": " + room + " seq " + rs.getLong(1) + " (id " + id
                                    + ") stored after its node was declared dead (LEFT after " + leftAfter + ")");
                        }
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Each membership of a node that died produced exactly one LEFT on every other node: on each of
     * these connections (which were in the room from before {@code diedAt} to the end), one LEFT for
     * each of the names after {@code diedAt}.
     */
    List<String> leftOnceEach(List<WireClient> observers, String room, List<String> names, long diedAt) {
        List<String> problems = new ArrayList<>();
        for (WireClient c : observers) {
            Map<String, Integer> count = new HashMap<>();
            for (WireClient.Received r : c.frames()) {
                if (r.nanos() > diedAt && r.message() instanceof ServerMessage.Left l && l.room().equals(room)
                        && l.ref() == null) {
                    count.merge(Names.canonicalUser(l.name()), 1, Integer::sum);
                }
            }
            for (String name : names) {
                int n = count.getOrDefault(Names.canonicalUser(name), 0);
                if (n != 1) {
                    problems.add(c + ": " + n + " LEFT for " + name + " in " + room + " after its node died");
                }
            }
        }
        return problems;
    }

    /** All the general checks together. */
    List<String> all(List<ChatUser> users, Map<Integer, Long> downAt) throws SQLException {
        List<String> problems = new ArrayList<>();
        problems.addAll(storedSeqsAreGapFree());
        problems.addAll(acknowledgedAreStoredOnce(users));
        problems.addAll(deliveriesAreContiguous(users));
        problems.addAll(presenceNoticesAlternate(users));
        problems.addAll(namesNeverHeldTwice(users, downAt));
        return problems;
    }
}
