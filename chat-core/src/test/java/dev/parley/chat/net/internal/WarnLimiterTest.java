package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarnLimiterTest {
    @Test
    void oneLinePerIntervalWithTheNumberHeldBack() {
        AtomicLong now = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
        WarnLimiter limiter = new WarnLimiter(Duration.ofSeconds(10), now::get);
        assertEquals(0, limiter.tryAcquire(), "the first goes out");
        for (int i = 0; i < 500; i++) {
            assertEquals(-1, limiter.tryAcquire());
        }
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals(-1, limiter.tryAcquire(), "still within the interval");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(501, limiter.tryAcquire(), "the next one says how many were held back");
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertEquals(0, limiter.tryAcquire());
    }
}
