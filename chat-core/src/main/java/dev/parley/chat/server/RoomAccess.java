package dev.parley.chat.server;

import dev.parley.chat.protocol.ServerMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Private rooms, changed at run time: {@link ChatServer#access()}. A private room may be joined, read
 * ({@code HISTORY}), posted to, asked {@code WHO} about and seen in {@code ROOMS} only by the names
 * admitted to it; everybody else gets {@code ERROR code=FORBIDDEN}, whether or not the room exists.
 * These rules come on top of the application's {@link AccessPolicy}: a request must pass both.
 *
 * <p>Names and rooms are compared in their canonical forms (PROTOCOL.md, "Names"), so admitting
 * {@code Alice} admits {@code alice}. The rules are kept in memory: they do not survive a restart,
 * and with a cluster they hold on this node only (docs/access.md). Thread-safe; the methods may
 * block briefly on presence (a cluster's database) while taking members out.
 */
public final class RoomAccess {
    private final Users users;
    private final RoomDirectory directory;
    /** Serialises changes (reads take no lock). */
    private final ReentrantLock lock = new ReentrantLock();
    /** Canonical room: canonical names admitted, for the rooms that are private. */
    private final Map<String, Set<String>> privateRooms = new ConcurrentHashMap<>();
    /** Canonical room: names admitted ahead of {@link #makePrivate}, for rooms that are public. */
    private final Map<String, Set<String>> admittedAhead = new ConcurrentHashMap<>();

    RoomAccess(Users users, RoomDirectory directory) {
        this.users = users;
        this.directory = directory;
    }

    /**
     * Makes the room private. Names admitted before (with {@link #admit}) stay admitted; anybody else
     * connected here and in the room is taken out of it as by {@link #remove}. So admit the members
     * first, then make the room private. Nothing happens if it is private already.
     *
     * @throws IllegalArgumentException if the room name is invalid
     */
    public void makePrivate(String room) {
        String r = room(room);
        lock.lock();
        try {
            if (privateRooms.containsKey(r)) {
                return;
            }
            Set<String> admitted = admittedAhead.remove(r);
            privateRooms.put(r, admitted != null ? admitted : ConcurrentHashMap.newKeySet());
        } finally {
            lock.unlock();
        }
        Room live = directory.room(r, false);
        if (live != null) {
            for (Session s : live.sessions()) {
                User u = s.user;
                if (u != null && !allows(u.canonical, r)) {
                    takeOut(live, s, u);
                }
            }
        }
    }

    /**
     * Makes the room public again: everybody may enter (as far as the {@link AccessPolicy} lets them),
     * and its list of admitted names is forgotten.
     *
     * @throws IllegalArgumentException if the room name is invalid
     */
    public void makePublic(String room) {
        String r = room(room);
        lock.lock();
        try {
            privateRooms.remove(r);
            admittedAhead.remove(r);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Admits a name to a room: to a private room at once; to a public room ahead of
     * {@link #makePrivate}.
     *
     * @throws IllegalArgumentException if the room or the user name is invalid
     */
    public void admit(String room, String name) {
        String r = room(room);
        String n = user(name);
        lock.lock();
        try {
            Set<String> admitted = privateRooms.get(r);
            if (admitted == null) {
                admitted = admittedAhead.computeIfAbsent(r, k -> ConcurrentHashMap.newKeySet());
            }
            admitted.add(n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a name off a room's admitted list. If the room is private, each of that user's connections
     * on this server that is in the room is taken out: it gets {@code LEFT room=R name=N reason=removed}
     * and no more of the room's messages, and the other members get the same notice (once, when the
     * user's last connection is out).
     *
     * @return how many of the user's connections were taken out of the room
     * @throws IllegalArgumentException if the room or the user name is invalid
     */
    public int remove(String room, String name) {
        String r = room(room);
        String n = user(name);
        lock.lock();
        try {
            Set<String> admitted = privateRooms.get(r);
            if (admitted == null) {
                Set<String> ahead = admittedAhead.get(r);
                if (ahead != null) {
                    ahead.remove(n);
                }
                return 0;
            }
            admitted.remove(n);
        } finally {
            lock.unlock();
        }
        Room live = directory.room(r, false);
        User u = users.local(n);
        int taken = 0;
        if (live != null && u != null) {
            for (Session s : u.sessions) {
                if (takeOut(live, s, u)) {
                    taken++;
                }
            }
        }
        return taken;
    }

    /** Whether the room is private. */
    public boolean isPrivate(String room) {
        return privateRooms.containsKey(room(room));
    }

    /** The canonical names admitted to a room (private, or ahead of making it private), sorted. */
    public Set<String> admitted(String room) {
        String r = room(room);
        Set<String> admitted = privateRooms.get(r);
        if (admitted == null) {
            admitted = admittedAhead.getOrDefault(r, Set.of());
        }
        return new TreeSet<>(admitted);
    }

    /** Whether these rules let the user (canonical name) into the room (canonical name). Any thread. */
    boolean allows(String canonicalUser, String canonicalRoom) {
        Set<String> admitted = privateRooms.get(canonicalRoom);
        return admitted == null || admitted.contains(canonicalUser);
    }

    /**
     * Takes one connection out of a room from this (the API's) thread. Its reader forgets the room
     * before its next request ({@link Session#forgetRemovedRooms}).
     */
    private boolean takeOut(Room room, Session session, User user) {
        if (!room.leave(session, user, "removed")) {
            return false;
        }
        session.roomRemoved(room);
        session.out.send(Wire.encode(new ServerMessage.Left(room.name, user.name, "removed", null)));
        return true;
    }

    private static String room(String room) {
        String r = Wire.canonicalRoom(room);
        if (r == null) {
            throw new IllegalArgumentException("invalid room name: " + room);
        }
        return r;
    }

    private static String user(String name) {
        String n = Wire.canonicalUser(name);
        if (n == null) {
            throw new IllegalArgumentException("invalid user name: " + name);
        }
        return n;
    }

    /** For a log line. */
    @Override
    public String toString() {
        return "RoomAccess[private=" + List.copyOf(privateRooms.keySet()) + "]";
    }
}
