package dev.parley.chat.bench.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatTest {

    @Test
    void stealIsTheEighthValueOfTheCpuLineInTicksOfTenMilliseconds() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertEquals(11_170L * 10_000_000L,
                ProcStat.stealNanos("cpu  83810 52637 28967 425948 1038 0 6952 11170 0 0"));
    }

    @Test
    void aLineWithoutStealGivesMinusOne() {
        assertEquals(-1, ProcStat.stealNanos("cpu  83810 52637 28967 425948 1038 0 6952"));
        assertEquals(-1, ProcStat.stealNanos("cpu  83810 52637 28967 425948 1038 0 6952 x"));
    }

    @Test
    void thisMachinesStealNeverGoesBack() {
        long first = ProcStat.stealNanos();
        long second = ProcStat.stealNanos();
        assertTrue(first >= 0, "read /proc/stat's steal: " + first);
        assertTrue(second >= first, first + " then " + second);
    }
}
