package dev.parley.chat.server;

import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.MessageStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conversations this server delivers: rooms by canonical name and direct conversations by key,
 * each created on first use. Also answers "which rooms exist" and "who is in a room" for
 * {@code ROOMS}, {@code WHO} and the server API, combining the rooms known here (with members here or
 * with messages) and {@link Presence} (members anywhere).
 */
final class RoomDirectory {
    /** Compares strings by code point, which is also the order of their UTF-8 bytes. */
    static final Comparator<String> CODE_POINT_ORDER = (x, y) -> {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Boolean.compare(i < x.length(), j < y.length());
    };

    private final Conversation.Env env;
    private final Presence presence;
    private final Users users;
    private final Events events;
    private final Settings settings;
    private final NewRoomLimit newRooms;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, DirectConversation> directs = new ConcurrentHashMap<>();

    RoomDirectory(Conversation.Env env, Presence presence, Users users, Events events, Settings settings) {
        this.env = env;
        this.presence = presence;
        this.users = users;
        this.events = events;
        this.settings = settings;
        this.newRooms = new NewRoomLimit(env.ticker(), settings.newRoomsPerMinute(), settings.newRoomBurst());
    }

    /** Makes the rooms that have messages known, so they exist for WHO/ROOMS/JOIN after a restart. */
    void loadRooms(MessageStore store) {
        for (String key : store.conversations()) {
            if (Conversations.isRoom(key)) {
                String name = Wire.canonicalRoom(Conversations.roomName(key));
                if (name != null) {
                    room(name, true);
                }
            }
        }
    }

    /** The room, created if asked (no I/O: its head is read on first use). */
    Room room(String canonical, boolean create) {
        Room r = rooms.get(canonical);
        if (r == null && create) {
            r = rooms.computeIfAbsent(canonical, n -> new Room(n, env, presence, this, events, settings));
        }
        return r;
    }

    /**
     * The room for a JOIN: the one known here, or a new one that the joining identity and address pay
     * for with a token of their {@link NewRoomLimit}.
     *
     * @return the room, or {@code null} if it is new and the limit refuses it
     */
    Room roomFor(String canonical, String identity, String address) {
        Room r = rooms.get(canonical);
        if (r != null) {
            return r;
        }
        NewRoomLimit.Charge charge = newRooms.take(identity, address);
        if (charge == null) {
            return null;
        }
        Room[] made = new Room[1];
        r = rooms.computeIfAbsent(canonical, n -> {
            made[0] = new Room(n, env, presence, this, events, settings);
            made[0].charge = charge;
            return made[0];
        });
        if (r != made[0]) {
            newRooms.refund(charge); // made by someone else meanwhile
        }
        return r;
    }

    /**
     * Drops a retired room (its last member left before any message), unless a newer room of that name
     * is there already; its creator gets the new-room token back.
     */
    void forget(Room room) {
        if (rooms.remove(room.name, room) && room.charge != null) {
            newRooms.refund(room.charge);
        }
    }

    /**
     * The direct conversation of two identities ({@link Identities}), created on first use or after
     * the last one was retired. Never a retired one: callers have a participant here (the sender, or
     * the recipient a cluster message is for), and a conversation with a participant here cannot be
     * retired, so the one returned stays usable.
     */
    DirectConversation direct(String identityA, String identityB) {
        String key = Conversations.direct(identityA, identityB);
        while (true) {
            DirectConversation d = directs.get(key);
            if (d == null) {
                d = directs.computeIfAbsent(key, k -> new DirectConversation(identityA, identityB, env, users, events));
            }
            if (!d.retired()) {
                return d;
            }
            directs.remove(key, d); // retired by a sweep that has not removed it yet
        }
    }

    /**
     * Drops the direct conversations that nobody on this server takes part in and that have nothing
     * under way ({@link Conversation#retireIfIdle}), so that a long-running server does not keep one
     * per pair of users that ever wrote to each other. Called by the reaper now and then.
     *
     * @return how many were dropped
     */
    int retireIdleDirects() {
        int dropped = 0;
        for (Map.Entry<String, DirectConversation> e : directs.entrySet()) {
            DirectConversation d = e.getValue();
            if (d.retireIfIdle() && directs.remove(e.getKey(), d)) {
                dropped++;
            }
        }
        return dropped;
    }

    /** Direct conversations held, for tests. */
    int directCount() {
        return directs.size();
    }

    /**
     * The conversation a key names, if this server has recipients for it or lists it: a room (made
     * if new, so that ROOMS lists rooms that got messages elsewhere), or a direct conversation with a
     * participant connected here; {@code null} otherwise.
     */
    Conversation forKey(String key) {
        if (Conversations.isRoom(key)) {
            String name = Wire.canonicalRoom(Conversations.roomName(key));
            return name == null ? null : room(name, true);
        }
        if (key.length() < 4 || key.charAt(0) != '@') {
            return null;
        }
        int space = key.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String a = key.substring(1, space);
        String b = key.substring(space + 1);
        if (directs.get(key) == null && users.localIdentity(a) == null && users.localIdentity(b) == null) {
            return null;
        }
        return direct(a, b);
    }

    /** Rooms known here (members here, or messages). */
    int size() {
        return rooms.size();
    }

    /** Every room that exists (members anywhere, or messages), sorted, with its member count. */
    Map<String, Integer> roomList() {
        Map<String, Integer> out = new TreeMap<>();
        for (String name : rooms.keySet()) {
            out.put(name, 0);
        }
        presence.rooms().forEach((name, count) -> out.put(name, count));
        return out;
    }

    /**
     * The names in a room, sorted by canonical form in code point order; {@code null} if the room
     * does not exist (no members anywhere, no messages).
     */
    List<String> members(String canonicalRoom) {
        List<String> names = new ArrayList<>(presence.members(canonicalRoom));
        if (names.isEmpty() && !rooms.containsKey(canonicalRoom)) {
            return null;
        }
        Map<String, String> byCanonical = new TreeMap<>(CODE_POINT_ORDER);
        for (String n : names) {
            String c = Wire.canonicalUser(n);
            byCanonical.put(c == null ? n : c, n);
        }
        return new ArrayList<>(byCanonical.values());
    }
}
