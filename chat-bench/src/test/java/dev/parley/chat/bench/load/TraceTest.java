package dev.parley.chat.bench.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TraceTest {

    @Test
    void writesOneRowPerDeliveryWithItsLatency(@TempDir Path dir) throws Exception {
        Trace t = new Trace(4);
        t.record(1_000, 1_750, 3, 7);
        t.record(2_000, 2_100, 7, 3);
        Path file = dir.resolve("trace.tsv");
        t.write(file);
        assertEquals(List.of(
                "sent_ns\treceived_ns\tlatency_ns\tsender\treceiver",
                "1000\t1750\t750\t3\t7",
                "2000\t2100\t100\t7\t3"), Files.readAllLines(file));
    }

    @Test
    void countsWhatDoesNotFitAndStartsOverOnReset() {
        Trace t = new Trace(2);
        for (int i = 0; i < 5; i++) {
            t.record(i, i + 1, 0, 1);
        }
        assertEquals(2, t.size());
        assertEquals(3, t.dropped());
        t.reset();
        assertEquals(0, t.size());
        assertEquals(0, t.dropped());
    }
}
