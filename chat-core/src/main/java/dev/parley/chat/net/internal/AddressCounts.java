package dev.parley.chat.net.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/** How many of something (handshakes in progress) each remote address holds, with a cap. Thread safe. */
public final class AddressCounts {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();

    /** Counts capped at {@code max} per address. */
    public AddressCounts(int max) {
        this.max = max;
    }

    /** Counts one more for this address, unless it holds {@code max} already: then returns false. */
    public boolean tryAcquire(InetAddress address) {
        boolean[] taken = {false};
        counts.compute(address, (a, n) -> {
            int c = n == null ? 0 : n;
            if (c >= max) {
                return n;
            }
            taken[0] = true;
            return c + 1;
        });
        return taken[0];
    }

    /** Counts one less for this address (forgotten at zero). */
    public void release(InetAddress address) {
        counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** The count for this address. */
    public int count(InetAddress address) {
        return counts.getOrDefault(address, 0);
    }
}
