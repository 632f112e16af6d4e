package dev.parley.chat.cluster;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.ServerMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A user as a careful client written from PROTOCOL.md behaves: one name, connections to any node one
 * after another; on each it registers (waiting while the name is still held by a node that died),
 * joins its rooms again with {@code since=} the last seq it has without a hole, and resends every
 * message not acknowledged yet with the same id. It records what it got, for the {@link Checker}.
 */
final class ChatUser {
    final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Every connection, oldest first. Guarded by lock. */
    private final List<WireClient> sessions = new ArrayList<>();
    private WireClient current;
    /** Rooms to be in. Guarded by lock. */
    private final LinkedHashSet<String> rooms = new LinkedHashSet<>();
    /** Per room: seqs received as MSG, as ACK, and covered by GAP. Guarded by lock. */
    private final Map<String, TreeSet<Long>> msgs = new HashMap<>();
    private final Map<String, TreeSet<Long>> acks = new HashMap<>();
    private final Map<String, TreeSet<Long>> gaps = new HashMap<>();
    /** MSG seqs received a second time (not a replay of one's own). Guarded by lock. */
    private final List<String> duplicates = new ArrayList<>();
    /** id -> room, text: sent and not acknowledged yet. Guarded by lock. */
    private final Map<String, String[]> pending = new LinkedHashMap<>();
    /** id -> room and seq of its (first) ACK; conflicting ACKs. Guarded by lock. */
    private final Map<String, String> acked = new LinkedHashMap<>();
    private final List<String> ackConflicts = new ArrayList<>();
    private int counter;

    ChatUser(String name) {
        this.name = name;
    }

    /**
     * Connects to a node and registers, retrying while the name is taken (held by a session of a node
     * that died and is not reaped yet) until {@code nameWait} passed; then rejoins and resends.
     */
    WireClient connect(int node, int port, Duration nameWait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + nameWait.toNanos();
        while (true) {
            WireClient c;
            try {
                c = WireClient.connect(name + "#" + (sessionCount() + 1), node, port, this::observe);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // polling for an outside event: the node coming up
                continue;
            }
            c.send("HELLO proto=1 name=" + name + " ref=h");
            ServerMessage reply;
            try {
                reply = c.await(ServerMessage.class, m -> "h".equals(m.ref()) || m instanceof ServerMessage.Bye);
            } catch (AssertionError e) {
                reply = null; // closed without a word (a node that is going away)
            }
            if (reply instanceof ServerMessage.Welcome) {
                lock.lock();
                try {
                    sessions.add(c);
                    current = c;
                } finally {
                    lock.unlock();
                }
                for (String room : roomsCopy()) {
                    joinOn(c, room);
                }
                for (Map.Entry<String, String[]> e : pendingCopy().entrySet()) {
                    c.send("SEND room=" + e.getValue()[0] + " id=" + e.getKey() + " ref=" + e.getKey() + " :"
                            + e.getValue()[1]);
                }
                return c;
            }
            c.close();
            boolean taken = reply instanceof ServerMessage.Error err && err.code() == ErrorCode.NAME_TAKEN;
            boolean unavailable = reply == null || reply instanceof ServerMessage.Bye
                    || reply instanceof ServerMessage.Error err2 && (err2.code() == ErrorCode.STORE_UNAVAILABLE
                            || err2.code() == ErrorCode.SHUTTING_DOWN);
            if (!(taken || unavailable) || System.nanoTime() > deadline) {
                throw new AssertionError(name + ": cannot register on node " + node + ": " + reply);
            }
            Thread.sleep(100); // polling for an outside event: the dead holder's reaping
        }
    }

    /** Joins a room on the current connection (and on every later one). */
    ServerMessage.Joined join(String room) throws InterruptedException {
        lock.lock();
        try {
            rooms.add(room);
        } finally {
            lock.unlock();
        }
        return joinOn(current(), room);
    }

    private ServerMessage.Joined joinOn(WireClient c, String room) throws InterruptedException {
        long since = resumeFrom(room);
        c.send("JOIN room=" + room + (since > 0 ? " since=" + since : "") + " ref=j-" + room);
        return c.await(ServerMessage.Joined.class, j -> ("j-" + room).equals(j.ref()));
    }

    /** Sends a message (not waiting for its ACK); returns its id. */
    String send(String room, String text) {
        String id;
        WireClient c;
        lock.lock();
        try {
            id = name + "-" + (++counter);
            pending.put(id, new String[] {room, text});
            c = current;
        } finally {
            lock.unlock();
        }
        c.send("SEND room=" + room + " id=" + id + " ref=" + id + " :" + text);
        return id;
    }

    /** Forgets a message sent and not acknowledged: it will not be resent on the next connection. */
    void abandon(String id) {
        lock.lock();
        try {
            pending.remove(id);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every message sent so far is acknowledged. */
    void awaitAcked(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!pending.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": not acknowledged within " + timeout + ": " + pending.keySet());
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until this user has seen (as MSG or ACK) every seq of the room up to {@code seq}. */
    void awaitSeen(String room, long seq, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (resumeFromLocked(room) < seq) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": saw " + room + " only up to " + resumeFromLocked(room)
                            + " within " + timeout + ", expected " + seq);
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void observe(WireClient.Received r) {
        lock.lock();
        try {
            switch (r.message()) {
                case ServerMessage.Msg m when m.room() != null && m.ref() == null -> {
                    TreeSet<Long> seen = msgs.computeIfAbsent(m.room(), k -> new TreeSet<>());
                    boolean own = acks.getOrDefault(m.room(), new TreeSet<>()).contains(m.seq());
                    if (!seen.add(m.seq()) && !own) {
                        duplicates.add(m.room() + " seq " + m.seq());
                    }
                }
                case ServerMessage.Ack a when a.room() != null && a.id() != null -> {
                    acks.computeIfAbsent(a.room(), k -> new TreeSet<>()).add(a.seq());
                    String where = a.room() + " " + a.seq();
                    String before = acked.putIfAbsent(a.id(), where);
                    if (before != null && !before.equals(where)) {
                        ackConflicts.add(a.id() + ": " + before + " then " + where);
                    }
                    pending.remove(a.id());
                }
                case ServerMessage.Gap g -> {
                    TreeSet<Long> covered = gaps.computeIfAbsent(g.room(), k -> new TreeSet<>());
                    for (long s = g.from(); s <= g.to(); s++) {
                        covered.add(s);
                    }
                }
                default -> {
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The last seq of the room such that this user has every seq from its first one up to it. */
    long resumeFrom(String room) {
        lock.lock();
        try {
            return resumeFromLocked(room);
        } finally {
            lock.unlock();
        }
    }

    private long resumeFromLocked(String room) {
        TreeSet<Long> all = covered(room);
        if (all.isEmpty()) {
            return 0;
        }
        long s = all.first();
        while (all.contains(s + 1)) {
            s++;
        }
        return s;
    }

    /** Every seq of the room this user has: MSG, ACK or announced by GAP. */
    TreeSet<Long> covered(String room) {
        lock.lock();
        try {
            TreeSet<Long> all = new TreeSet<>(msgs.getOrDefault(room, new TreeSet<>()));
            all.addAll(acks.getOrDefault(room, new TreeSet<>()));
            all.addAll(gaps.getOrDefault(room, new TreeSet<>()));
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** The highest seq received as MSG in the room, 0 if none. */
    long lastMsg(String room) {
        lock.lock();
        try {
            TreeSet<Long> m = msgs.get(room);
            return m == null || m.isEmpty() ? 0 : m.last();
        } finally {
            lock.unlock();
        }
    }

    WireClient current() {
        lock.lock();
        try {
            return current;
        } finally {
            lock.unlock();
        }
    }

    List<WireClient> sessions() {
        lock.lock();
        try {
            return List.copyOf(sessions);
        } finally {
            lock.unlock();
        }
    }

    private int sessionCount() {
        lock.lock();
        try {
            return sessions.size();
        } finally {
            lock.unlock();
        }
    }

    private List<String> roomsCopy() {
        lock.lock();
        try {
            return List.copyOf(rooms);
        } finally {
            lock.unlock();
        }
    }

    private Map<String, String[]> pendingCopy() {
        lock.lock();
        try {
            return new LinkedHashMap<>(pending);
        } finally {
            lock.unlock();
        }
    }

    List<String> rooms() {
        return roomsCopy();
    }

    /** id -> "room seq" of every acknowledged message. */
    Map<String, String> acked() {
        lock.lock();
        try {
            return new LinkedHashMap<>(acked);
        } finally {
            lock.unlock();
        }
    }

    List<String> duplicates() {
        lock.lock();
        try {
            return List.copyOf(duplicates);
        } finally {
            lock.unlock();
        }
    }

    List<String> ackConflicts() {
        lock.lock();
        try {
            return List.copyOf(ackConflicts);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
