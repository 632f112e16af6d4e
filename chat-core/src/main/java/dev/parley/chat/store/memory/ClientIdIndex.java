package dev.parley.chat.store.memory;

/**
 * The seqs of a conversation's messages that carry a client id, by the hash of (sender, client id): an
 * open-addressing table with linear probing in two primitive arrays, so an entry costs no object. The
 * caller ({@link MessageLog}) walks a hash's slots from {@link #first} with {@link #next} until a slot
 * whose {@link #seq} is 0 (empty) and checks each candidate against the stored message itself.
 *
 * <p>An entry whose seq is below the log's oldest kept seq is stale: lookups pass over it, an insert
 * takes its slot, and growing the table drops it, so with a retention limit the table stays
 * proportional to the messages kept. Not thread safe.
 */
final class ClientIdIndex {
    private static final int FIRST_CAPACITY = 16;

    private int[] hashes;
    private long[] seqs;
    /** Slots that are not empty (live or stale). */
    private int used;

    static int hash(String sender, String clientId) {
        int h = (31 * sender.hashCode() + clientId.hashCode()) * 0x9E3779B9;
        return h ^ h >>> 16; // the table takes the low bits: fold the well-mixed high ones in
    }

    int first(int hash) {
        return seqs == null ? -1 : hash & (seqs.length - 1);
    }

    int next(int slot) {
        return (slot + 1) & (seqs.length - 1);
    }

    /** The seq in {@code slot}, or 0 if it is empty (and for the {@code -1} of an empty table). */
    long seq(int slot) {
        return slot < 0 ? 0 : seqs[slot];
    }

    int hash(int slot) {
        return hashes[slot];
    }

    /**
     * Adds {@code seq} under {@code hash}; the caller has checked that no live entry has its sender and
     * client id. Entries below {@code firstKept} are stale.
     */
    void put(int hash, long seq, long firstKept) {
        if (seqs == null) {
            hashes = new int[FIRST_CAPACITY];
            seqs = new long[FIRST_CAPACITY];
        } else if (4 * (used + 1) > 3 * seqs.length) {
            rebuild(firstKept);
        }
        for (int slot = hash & (seqs.length - 1); ; slot = next(slot)) {
            if (seqs[slot] == 0 || seqs[slot] < firstKept) {
                if (seqs[slot] == 0) {
                    used++;
                }
                hashes[slot] = hash;
                seqs[slot] = seq;
                return;
            }
        }
    }

    /** Bytes of the table's arrays, for tests. */
    long footprint() {
        return seqs == null ? 0 : 12L * seqs.length;
    }

    /** Re-inserts the live entries into a table where they fill at most half the slots. */
    private void rebuild(long firstKept) {
        int[] oldHashes = hashes;
        long[] oldSeqs = seqs;
        int live = 0;
        for (long s : oldSeqs) {
            if (s >= firstKept) {
                live++;
            }
        }
        int capacity = FIRST_CAPACITY;
        while (capacity < 2 * (live + 1)) {
            capacity *= 2;
        }
        hashes = new int[capacity];
        seqs = new long[capacity];
        used = 0;
        for (int i = 0; i < oldSeqs.length; i++) {
            if (oldSeqs[i] >= firstKept) {
                int slot = oldHashes[i] & (capacity - 1);
                while (seqs[slot] != 0) {
                    slot = next(slot);
                }
                hashes[slot] = oldHashes[i];
                seqs[slot] = oldSeqs[i];
                used++;
            }
        }
    }
}
