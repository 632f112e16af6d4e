package dev.parley.chat.bench.load;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistogramTest {

    @Test
    void bucketsTileTheRangeWithoutGapsOrOverlap() {
        for (int i = 1; i < Histogram.SIZE; i++) {
            assertEquals(Histogram.upperBound(i - 1) + 1, Histogram.lowerBound(i), "bucket " + i);
        }
        long[] probes = {0, 1, 127, 128, 129, 255, 256, 1_000, 999_999, 1L << 40, Long.MAX_VALUE};
        for (long v : probes) {
            int i = Histogram.index(v);
            assertTrue(Histogram.lowerBound(i) <= v && v <= Histogram.upperBound(i), "value " + v);
        }
        assertEquals(Histogram.SIZE - 1, Histogram.index(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, Histogram.upperBound(Histogram.SIZE - 1));
    }

    @Test
    void smallValuesAreExact() {
        Histogram h = new Histogram();
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertEquals(50, h.percentile(50));
        assertEquals(99, h.percentile(99));
        assertEquals(100, h.percentile(100));
        assertEquals(1, h.min());
        assertEquals(100, h.max());
        assertEquals(50.5, h.mean(), 1e-9);
    }

    @Test
    void percentilesAreNeverBelowAndAtMostOneSixtyFourthAboveTheExactValue() {
        Random random = new Random(7);
        long[] values = new long[100_000];
        Histogram h = new Histogram();
        for (int i = 0; i < values.length; i++) {
            // Log-normal-ish latencies from ~10 us to ~1 s, in ns.
            values[i] = (long) Math.exp(9 + random.nextDouble() * 12);
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {1, 25, 50, 90, 99, 99.9, 100}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            long got = h.percentile(p);
            assertTrue(got >= exact, "p" + p + ": " + got + " < exact " + exact);
            assertTrue(got <= exact + exact / 64 + 1, "p" + p + ": " + got + " too far above " + exact);
        }
        assertEquals(values[values.length - 1], h.max());
    }

    @Test
    void addMergesAndResetForgets() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        a.record(1_000);
        b.record(3_000_000);
        b.record(-5); // clock skew counts as 0
        a.add(b);
        assertEquals(3, a.count());
        assertEquals(0, a.min());
        assertEquals(3_000_000, a.max());
        a.reset();
        assertEquals(0, a.count());
        assertEquals(0, a.percentile(99));
        assertThrows(IllegalArgumentException.class, () -> a.percentile(0));
    }
}
