package dev.parley.chat.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(42));

    @Test
    void ceilingDoublesUpToTheCap() {
        assertEquals(Duration.ofMillis(100).toNanos(), backoff.ceilingNanos(0));
        assertEquals(Duration.ofMillis(200).toNanos(), backoff.ceilingNanos(1));
        assertEquals(Duration.ofMillis(3200).toNanos(), backoff.ceilingNanos(5));
        assertEquals(Duration.ofSeconds(5).toNanos(), backoff.ceilingNanos(6));
        assertEquals(Duration.ofSeconds(5).toNanos(), backoff.ceilingNanos(10_000));
    }

    @Test
    void delaysAreSpreadOverTheWholeInterval() {
        // Full jitter: a crowd that lost the server at once must not come back at once.
        Set<Long> tenths = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            long d = backoff.delayNanos(5);
            assertTrue(d >= 0 && d <= Duration.ofMillis(3200).toNanos(), "delay " + d);
            tenths.add(d * 10 / Duration.ofMillis(3200).toNanos());
        }
        assertEquals(Set.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), tenths);
    }
}
