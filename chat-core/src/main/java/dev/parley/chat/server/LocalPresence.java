package dev.parley.chat.server;

import dev.parley.chat.server.spi.Presence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single-server {@link Presence}: names and room memberships in this process. One lock guards
 * everything; no call blocks.
 */
final class LocalPresence implements Presence {
    private static final class Holder {
        final String name;
        final boolean shared;
        final Set<Long> connections = new HashSet<>(2);

        Holder(String name, boolean shared) {
            this.name = name;
            this.shared = shared;
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
    private final Map<String, Holder> names = new HashMap<>();
    /** Guarded by lock: room to (canonical name to its connections there). */
    private final Map<String, Map<String, InRoom>> rooms = new HashMap<>();

    @Override
    public boolean claimName(String name, String canonicalName, boolean shared, long connectionId) {
        lock.lock();
        try {
            Holder h = names.get(canonicalName);
            if (h == null) {
                h = new Holder(name, shared);
                names.put(canonicalName, h);
            } else if (!(h.shared && shared)) {
                return false;
            }
            h.connections.add(connectionId);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void releaseName(String canonicalName, long connectionId) {
        lock.lock();
        try {
            Holder h = names.get(canonicalName);
            if (h != null && h.connections.remove(connectionId) && h.connections.isEmpty()) {
                names.remove(canonicalName);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String holder(String canonicalName) {
        lock.lock();
        try {
            Holder h = names.get(canonicalName);
            return h == null ? null : h.name;
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
