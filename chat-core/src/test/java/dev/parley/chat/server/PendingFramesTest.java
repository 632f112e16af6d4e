package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A connection's queue of frames: order, the byte count the back-pressure reads, and what it holds when idle. */
@Timeout(10)
class PendingFramesTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(ByteBuffer[] buffers) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuffer x : buffers) {
            sb.append(StandardCharsets.US_ASCII.decode(x.duplicate()));
        }
        return sb.toString();
    }

    @Test
    void anIdleQueueHoldsNothingUntilTheFirstFrame() {
        PendingFrames q = new PendingFrames();
        assertTrue(q.isEmpty());
        assertFalse(q.holdsDeque());
        assertEquals(0, q.takeAll().length);
        q.add(b("a\n"));
        assertTrue(q.holdsDeque());
        assertEquals(2, q.bytes());
    }

    @Test
    void theWritersBatchCountsUntilItIsWritten() {
        PendingFrames q = new PendingFrames();
        byte[] one = b("one\n");
        q.add(one);
        q.addAll(List.of(b("two\n"), b("three\n")), 10);
        assertEquals(14, q.bytes());

        byte[][] batch = q.takeAll();
        assertEquals(3, batch.length);
        assertSame(one, batch[0], "frames are shared, never copied");
        assertTrue(q.isEmpty());
        assertEquals(14, q.bytes(), "taken but not written: still owed");
        q.written(8);
        assertEquals(6, q.bytes());
        q.written(6);
        assertEquals(0, q.bytes());

        assertTrue(q.holdsDeque(), "a busy writer keeps the deque between rounds");
        q.release();
        assertFalse(q.holdsDeque(), "released once empty");
    }

    @Test
    void whatADirectWriteLeftGoesBackInFrontFromWhereItStopped() {
        PendingFrames q = new PendingFrames();
        q.add(b("abc\n"));
        q.add(b("defg\n"));
        ByteBuffer[] buffers = q.takeAllAsBuffers();
        assertEquals(0, q.bytes(), "a direct write's frames stop counting when taken");
        assertFalse(q.holdsDeque());
        q.add(b("later\n")); // queued by another thread while the write was under way

        buffers[0].position(4); // the socket took "abc\nde"
        buffers[1].position(2);
        q.putBack(buffers);

        assertEquals(9, q.bytes(), "\"fg\\n\" and \"later\\n\"");
        assertEquals(2, q.firstOffset());
        assertArrayEquals(new byte[][] {b("defg\n"), b("later\n")}, q.takeAll());
        assertEquals(0, q.firstOffset());
    }

    @Test
    void aDirectWriteOfWhatWasLeftStartsWhereTheLastOneStopped() {
        PendingFrames q = new PendingFrames();
        q.add(b("abc\n"));
        ByteBuffer[] first = q.takeAllAsBuffers();
        first[0].position(1);
        q.putBack(first);
        q.add(b("x\n"));

        ByteBuffer[] again = q.takeAllAsBuffers();
        assertEquals("bc\nx\n", text(again));
        assertEquals(0, q.bytes());
    }

    @Test
    void releaseKeepsAQueueThatHoldsFramesAndClearDropsThem() {
        PendingFrames q = new PendingFrames();
        q.add(b("a\n"));
        q.release();
        assertEquals(1, q.takeAll().length, "release never drops frames");
        q.add(b("b\n"));
        q.clear();
        assertTrue(q.isEmpty());
        assertFalse(q.holdsDeque());
    }
}
