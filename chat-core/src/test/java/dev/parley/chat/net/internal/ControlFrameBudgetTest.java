package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ControlFrameBudgetTest {
    @Test
    void aBurstThenTenPerSecond() {
        AtomicLong now = new AtomicLong(123_456_789L);
        ControlFrameBudget budget = new ControlFrameBudget(now::get);
        for (int i = 0; i < ControlFrameBudget.BURST; i++) {
            assertTrue(budget.take(), "frame " + i + " of the burst");
        }
        assertFalse(budget.take(), "past the burst");
        now.addAndGet(100_000_000L); // 0.1 s: one more
        assertTrue(budget.take());
        assertFalse(budget.take());
        now.addAndGet(3_600_000_000_000L); // an hour idle refills the burst, no more
        for (int i = 0; i < ControlFrameBudget.BURST; i++) {
            assertTrue(budget.take());
        }
        assertFalse(budget.take());
    }

    @Test
    void aPingEveryFewSecondsNeverRunsOut() {
        AtomicLong now = new AtomicLong();
        ControlFrameBudget budget = new ControlFrameBudget(now::get);
        for (int i = 0; i < 10_000; i++) {
            now.addAndGet(1_000_000_000L);
            assertTrue(budget.take());
        }
    }
}
