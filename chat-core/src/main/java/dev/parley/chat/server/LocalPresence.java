package dev.parley.chat.server;

import dev.parley.chat.protocol.Names;
import dev.parley.chat.server.spi.Presence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single-server {@link Presence}: names (with their {@linkplain Names#confusableKeys confusable
 * keys}, unique among the names held) and room memberships in this process. One lock guards
 * everything; no call blocks.
 */
final class LocalPresence implements Presence {
    private static final class Claim {
        final String name;
        final String identity;
        final List<String> keys;
        /**
         * The ids of its connections, in {@code [0, count)}: nearly always one, so a bare array (24
         * bytes) rather than a {@code Set<Long>} (about 150).
         */
        private long[] connections = new long[1];
        private int count;

        Claim(String name, String identity, List<String> keys) {
            this.name = name;
            this.identity = identity;
            this.keys = keys;
        }

        void add(long connectionId) {
            for (int i = 0; i < count; i++) {
                if (connections[i] == connectionId) {
                    return;
                }
            }
            if (count == connections.length) {
                connections = Arrays.copyOf(connections, count * 2);
            }
            connections[count++] = connectionId;
        }

        /** Whether the connection held it. */
        boolean remove(long connectionId) {
            for (int i = 0; i < count; i++) {
                if (connections[i] == connectionId) {
                    connections[i] = connections[--count];
                    return true;
                }
            }
            return false;
        }

        boolean isEmpty() {
            return count == 0;
        }
    }

    private static final class InRoom {
        final String name;
        int connections;

        InRoom(String name) {
            this.name = name;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: canonical name to holder. */
    private final Map<String, Claim> names = new HashMap<>();
    /** Guarded by lock: each held name's confusable keys to its canonical name. */
    private final Map<String, String> keys = new HashMap<>();
    /** Guarded by lock: room to (canonical name to its connections there). */
    private final Map<String, Map<String, InRoom>> rooms = new HashMap<>();

    @Override
    public boolean claimName(String name, String canonicalName, String identity, long connectionId) {
        List<String> claimed = Names.confusableKeys(name);
        lock.lock();
        try {
            Claim h = names.get(canonicalName);
            if (h == null) {
                for (String key : claimed) {
                    if (keys.containsKey(key)) {
                        return false; // a look-alike of another name is online
                    }
                }
                h = new Claim(name, identity, claimed);
                names.put(canonicalName, h);
                for (String key : claimed) {
                    keys.put(key, canonicalName);
                }
            } else if (!h.identity.equals(identity)) {
                return false;
            }
            h.add(connectionId);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void releaseName(String canonicalName, long connectionId) {
        lock.lock();
        try {
            Claim h = names.get(canonicalName);
            if (h != null && h.remove(connectionId) && h.isEmpty()) {
                names.remove(canonicalName);
                for (String key : h.keys) {
                    keys.remove(key, canonicalName);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Presence.Holder holder(String canonicalName) {
        lock.lock();
        try {
            Claim h = names.get(canonicalName);
            return h == null ? null : new Presence.Holder(h.name, h.identity);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean join(String room, String name, String canonicalName, long connectionId) {
        lock.lock();
        try {
            InRoom r = rooms.computeIfAbsent(room, k -> new HashMap<>()).computeIfAbsent(canonicalName, k -> new InRoom(name));
            return ++r.connections == 1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean leave(String room, String name, String canonicalName, long connectionId, String reason) {
        lock.lock();
        try {
            Map<String, InRoom> in = rooms.get(room);
            InRoom r = in == null ? null : in.get(canonicalName);
            if (r == null) {
                return false;
            }
            if (--r.connections > 0) {
                return false;
            }
            in.remove(canonicalName);
            if (in.isEmpty()) {
                rooms.remove(room);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> members(String room) {
        lock.lock();
        try {
            Map<String, InRoom> in = rooms.get(room);
            List<String> out = new ArrayList<>(in == null ? 0 : in.size());
            if (in != null) {
                for (InRoom r : in.values()) {
                    out.add(r.name);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Integer> rooms() {
        lock.lock();
        try {
            Map<String, Integer> out = new HashMap<>();
            rooms.forEach((room, in) -> out.put(room, in.size()));
            return out;
        } finally {
            lock.unlock();
        }
    }
}
