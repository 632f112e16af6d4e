package dev.parley.chat.bench.load;

/**
 * A latency histogram with bounded relative error, in the manner of HdrHistogram but tiny: values
 * below 128 are kept exactly, larger ones in 64 linear sub-buckets per power of two, so a reported
 * percentile is at most 1/64 (1.6%) above the true value and never below it. Values are nanoseconds
 * here, but nothing depends on the unit. Not thread safe; the generator records from one thread.
 */
public final class Histogram {
    private static final int EXACT = 128;
    private static final int SUB = 64;
    /** Long.MAX_VALUE has shift 56 and sub-bucket 127: index 56 * 64 + 127 is the last. */
    static final int SIZE = 56 * SUB + EXACT;

    private final long[] counts = new long[SIZE];
    private long count;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;

    /** Records one value; negative values (clock skew) count as 0. */
    public void record(long value) {
        long v = Math.max(0, value);
        counts[index(v)]++;
        count++;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
        sum += v;
    }

    /** Adds every value recorded in {@code other}. */
    public void add(Histogram other) {
        for (int i = 0; i < SIZE; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        sum += other.sum;
    }

    /** Forgets everything. */
    public void reset() {
        java.util.Arrays.fill(counts, 0);
        count = 0;
        min = Long.MAX_VALUE;
        max = 0;
        sum = 0;
    }

    public long count() {
        return count;
    }

    /** The largest value recorded, exactly; 0 when empty. */
    public long max() {
        return max;
    }

    /** The smallest value recorded, exactly; 0 when empty. */
    public long min() {
        return count == 0 ? 0 : min;
    }

    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /**
     * The value at this percentile (0 < p <= 100): the smallest bucket upper bound such that at least
     * {@code p}% of the values are at or below it, capped at the exact maximum. 0 when empty.
     */
    public long percentile(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        }
        if (count == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p / 100.0 * count);
        if (rank < 1) {
            rank = 1;
        }
        long seen = 0;
        for (int i = 0; i < SIZE; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, Math.max(min, upperBound(i)));
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < EXACT) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v); // >= 7
        int shift = e - 6;                          // >= 1
        int sub = (int) (v >>> shift);              // in [64, 128)
        return shift * SUB + sub;
    }

    static long lowerBound(int index) {
        if (index < EXACT) {
            return index;
        }
        int shift = index / SUB - 1;
        long sub = index % SUB + SUB;
        return sub << shift;
    }

    static long upperBound(int index) {
        if (index < EXACT) {
            return index;
        }
        int shift = index / SUB - 1;
        long sub = index % SUB + SUB;
        long next = (sub + 1) << shift;
        return next - 1 < 0 ? Long.MAX_VALUE : next - 1;
    }
}
