package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.internal.NonBlockingWrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The writer's merged write: what reaches the socket, and where each frame stands afterwards. */
@Timeout(10)
class CopyingWriteTest {

    /** A socket that takes at most {@code room} bytes per call, from one buffer, as a direct write must. */
    private static final class Socket implements NonBlockingWrite {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        int room;
        int calls;

        Socket(int room) {
            this.room = room;
        }

        @Override
        public long tryWrite(ByteBuffer[] buffers) throws IOException {
            calls++;
            assertEquals(1, buffers.length, "one merged buffer");
            assertTrue(buffers[0].isDirect(), "direct memory: the JDK copies nothing more");
            int n = Math.min(room, buffers[0].remaining());
            byte[] bytes = new byte[n];
            buffers[0].get(bytes);
            taken.writeBytes(bytes);
            return n;
        }
    }

    private static byte[][] frames(String... texts) {
        byte[][] b = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            b[i] = texts[i].getBytes(StandardCharsets.US_ASCII);
        }
        return b;
    }

    @Test
    void aPartialWriteTellsHowMuchWentOut() throws Exception {
        Socket socket = new Socket(5);
        byte[][] batch = frames("abc\n", "defg\n", "hi\n");
        assertEquals(5, CopyingWrite.tryWrite(socket, batch, 0, 3, 0));
        assertEquals("abc\nd", socket.taken.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void theFirstFrameStartsAtItsOffset_andOnlyTheChunkIsCopied() throws Exception {
        Socket socket = new Socket(Integer.MAX_VALUE);
        byte[][] batch = frames("zz\n", "abc\n", "defg\n", "hi\n");
        assertEquals(7, CopyingWrite.tryWrite(socket, batch, 1, 3, 2));
        assertEquals("c\ndefg\n", socket.taken.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aFullSocketTakesNothing() throws Exception {
        Socket socket = new Socket(0);
        assertEquals(0, CopyingWrite.tryWrite(socket, frames("one\n", "two\n"), 0, 2, 0));
        assertEquals(1, socket.calls);
    }

    @Test
    void aSharedBroadcastFrameIsNeverModified() throws Exception {
        byte[] shared = "MSG room=r seq=1 from=a :hi\n".getBytes(StandardCharsets.US_ASCII);
        byte[] copy = shared.clone();
        CopyingWrite.tryWrite(new Socket(3), new byte[][] {shared, shared}, 0, 2, 1);
        assertArrayEquals(copy, shared);
    }

    @Test
    void onlyChunksOfSeveralFramesThatFitAreMerged() {
        assertFalse(CopyingWrite.suits(1, 10), "one frame goes as it is");
        assertTrue(CopyingWrite.suits(2, 4));
        assertFalse(CopyingWrite.suits(2, CopyingWrite.MAX_BYTES + 1L));
    }

    @Test
    void aFailedWriteThrows() {
        assertThrows(IOException.class, () -> CopyingWrite.tryWrite(b -> {
            throw new IOException("reset");
        }, frames("a\n", "b\n"), 0, 2, 0));
    }
}
