package dev.parley.chat.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many new rooms may be made, per identity and per address: one token bucket for each
 * ({@code perMinute} sustained, {@code burst} at once). Making a room takes a token from both buckets;
 * a room that is forgotten before it ever had a message ({@link RoomDirectory#forget}) gives both back,
 * so joining and leaving empty rooms costs nothing, while rooms that stay (they had a message) are
 * capped over time. Buckets that are full again are dropped, so the maps hold only recent creators.
 *
 * <p>Called by readers (JOIN) and by whichever thread retires a room; every method takes one
 * {@link ReentrantLock} and does no I/O under it.
 */
final class NewRoomLimit {
    /** What a room's creation took, to give back if the room is forgotten. */
    record Charge(String identity, String address) {
    }

    private static final int SWEEP_FLOOR = 4096;
    /** One token in the buckets' unit (nanoseconds times rooms per minute), so refills are exact. */
    private static final long TOKEN = 60_000_000_000L;

    private final Ticker ticker;
    private final long perMinute;
    private final long full;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final Map<String, Bucket> identities = new HashMap<>();
    /** Guarded by lock. */
    private final Map<String, Bucket> addresses = new HashMap<>();
    /** Guarded by lock: sweep full buckets once a map is this large. */
    private int sweepAt = SWEEP_FLOOR;

    /** Guarded by the owner's lock. */
    private static final class Bucket {
        long tokens;
        long at;

        Bucket(long tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /** @param burst at most 1,000,000 (the builder checks) */
    NewRoomLimit(Ticker ticker, int perMinute, int burst) {
        this.ticker = ticker;
        this.perMinute = perMinute;
        this.full = burst * TOKEN;
    }

    /** The address part of a peer's socket address (the IP, without the port). */
    static String addressOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }

    /**
     * Takes a token from the identity's and the address's bucket for one new room.
     *
     * @return the charge (to {@link #refund} if the room is forgotten), or {@code null} if either
     *     bucket is empty (nothing is taken then)
     */
    Charge take(String identity, String address) {
        long now = ticker.nanoTime();
        lock.lock();
        try {
            Bucket byName = refill(identities, identity, now);
            Bucket byAddress = refill(addresses, address, now);
            if (byName.tokens < TOKEN || byAddress.tokens < TOKEN) {
                return null;
            }
            byName.tokens -= TOKEN;
            byAddress.tokens -= TOKEN;
            if (identities.size() >= sweepAt || addresses.size() >= sweepAt) {
                sweep(now);
            }
            return new Charge(identity, address);
        } finally {
            lock.unlock();
        }
    }

    /** Gives back what {@link #take} took (a room forgotten without a message). */
    void refund(Charge charge) {
        long now = ticker.nanoTime();
        lock.lock();
        try {
            Bucket byName = refill(identities, charge.identity(), now);
            byName.tokens = Math.min(full, byName.tokens + TOKEN);
            Bucket byAddress = refill(addresses, charge.address(), now);
            byAddress.tokens = Math.min(full, byAddress.tokens + TOKEN);
        } finally {
            lock.unlock();
        }
    }

    /** Buckets held now (identities + addresses), for tests. */
    int buckets() {
        lock.lock();
        try {
            return identities.size() + addresses.size();
        } finally {
            lock.unlock();
        }
    }

    private Bucket refill(Map<String, Bucket> buckets, String key, long now) {
        Bucket b = buckets.get(key);
        if (b == null) {
            b = new Bucket(full, now);
            buckets.put(key, b);
            return b;
        }
        b.tokens = filled(b, now);
        b.at = now;
        return b;
    }

    /** The bucket's tokens at {@code now}, without overflowing however long it was left alone. */
    private long filled(Bucket b, long now) {
        long elapsed = now - b.at;
        if (elapsed <= 0) {
            return b.tokens;
        }
        long missing = full - b.tokens;
        return elapsed > missing / perMinute ? full : Math.min(full, b.tokens + elapsed * perMinute);
    }

    /** Drops the buckets that are full by now: they are what a new bucket would be. */
    private void sweep(long now) {
        identities.values().removeIf(b -> filled(b, now) == full);
        addresses.values().removeIf(b -> filled(b, now) == full);
        sweepAt = Math.max(SWEEP_FLOOR, 2 * Math.max(identities.size(), addresses.size()));
    }
}
