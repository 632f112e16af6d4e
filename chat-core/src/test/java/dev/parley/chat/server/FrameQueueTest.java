package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameQueueTest {

    @Test
    void keepsTheOrderOfAddsAndPutsAddFirstInFrontWhileGrowing() {
        FrameQueue q = new FrameQueue(1);
        assertTrue(q.isEmpty());
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] f = {(byte) i};
            q.add(f);
            expected.add(f);
        }
        List<byte[]> run = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            run.add(new byte[] {(byte) (100 + i)});
        }
        q.addAll(run);
        expected.addAll(run);
        byte[] rest = {-1};
        q.addFirst(rest);
        expected.add(0, rest);
        assertEquals(expected.size(), q.size());
        for (int i = 0; i < expected.size(); i++) {
            assertSame(expected.get(i), q.frames()[i], "frame " + i);
        }
    }

    @Test
    void addFirstIntoAFullArrayGrowsIt() {
        FrameQueue q = new FrameQueue(16);
        for (int i = 0; i < 16; i++) {
            q.add(new byte[] {(byte) i});
        }
        byte[] first = {-1};
        q.addFirst(first);
        assertEquals(17, q.size());
        assertSame(first, q.frames()[0]);
        assertEquals(15, q.frames()[16][0]);
    }
}
