package dev.parley.chat.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/** The client's token bucket on a hand-moved clock. */
class PacerTest {
    private static final long MS = 1_000_000L;

    @Test
    void noAnnouncedLimitMeansNoPacing() {
        assertSame(Pacer.UNLIMITED, Pacer.of(null, 0));
        assertSame(Pacer.UNLIMITED, Pacer.of(new ServerMessage.RateLimit(100, 0), 0));
        for (int i = 0; i < 10_000; i++) {
            assertTrue(Pacer.UNLIMITED.tryTake(0));
        }
        assertEquals(0, Pacer.UNLIMITED.nanosUntilToken(0));
    }

    @Test
    void keepsEightyPercentOfTheBurstLessTheHelloAndNinetyPercentOfTheRate() {
        // The server's default: 50 frames/s (one every 20,000 us), bursts of 100.
        Pacer p = Pacer.of(ServerMessage.RateLimit.of(50, 100), 0);
        for (int i = 0; i < 79; i++) {
            assertTrue(p.tryTake(0), "token " + i);
        }
        assertFalse(p.tryTake(0));
        // 90 % of 50/s: one token every 22.2 ms.
        assertEquals(22_222_223, p.nanosUntilToken(0));
        assertFalse(p.tryTake(22 * MS));
        assertTrue(p.tryTake(23 * MS));
        assertFalse(p.tryTake(23 * MS));
        // Sustained: 45 frames in a second, never more.
        int taken = 0;
        for (long t = 23 * MS; t <= 1023 * MS; t += MS) {
            while (p.tryTake(t)) {
                taken++;
            }
        }
        assertEquals(45, taken);
        // A long pause refills to the bucket's size, not beyond.
        long later = 100_000 * MS;
        int burst = 0;
        while (p.tryTake(later)) {
            burst++;
        }
        assertEquals(80, burst);
    }

    @Test
    void theAnnouncedIntervalIsRoundedUpSoTheClientNeverExceedsTheRealRate() {
        assertEquals(333_334, ServerMessage.RateLimit.of(3, 10).refillMicros());
        assertEquals(20_000, ServerMessage.RateLimit.of(50, 100).refillMicros());
        assertEquals(1, ServerMessage.RateLimit.of(1_000_000, 1_000_000).refillMicros());
        assertEquals(2_000_000, ServerMessage.RateLimit.of(0.5, 1).refillMicros());
    }
}
