package dev.parley.chat.server;

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

    private static ByteBuffer[] frames(String... texts) {
        ByteBuffer[] b = new ByteBuffer[texts.length];
        for (int i = 0; i < texts.length; i++) {
            b[i] = ByteBuffer.wrap(texts[i].getBytes(StandardCharsets.US_ASCII));
        }
        return b;
    }

    private static String left(ByteBuffer[] frames) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuffer f : frames) {
            sb.append(StandardCharsets.US_ASCII.decode(f.duplicate())).append('|');
        }
        return sb.toString();
    }

    @Test
    void aPartialWriteAdvancesExactlyTheFramesItTook() throws Exception {
        Socket socket = new Socket(5);
        ByteBuffer[] batch = frames("abc\n", "defg\n", "hi\n");
        CopyingWrite.tryWrite(socket, batch);
        assertEquals("abc\nd", socket.taken.toString(StandardCharsets.US_ASCII));
        assertEquals("|efg\n|hi\n|", left(batch));

        socket.room = Integer.MAX_VALUE;
        CopyingWrite.tryWrite(socket, batch);
        assertEquals("abc\ndefg\nhi\n", socket.taken.toString(StandardCharsets.US_ASCII));
        assertEquals("|||", left(batch));
    }

    @Test
    void aFullSocketTakesNothingAndMovesNothing() throws Exception {
        Socket socket = new Socket(0);
        ByteBuffer[] batch = frames("one\n", "two\n");
        CopyingWrite.tryWrite(socket, batch);
        assertEquals("one\n|two\n|", left(batch));
        assertEquals(1, socket.calls);
    }

    @Test
    void aSharedBroadcastFrameStaysWholeForTheOtherRecipients() throws Exception {
        byte[] shared = "MSG room=r seq=1 from=a :hi\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer[] mine = {ByteBuffer.wrap(shared), ByteBuffer.wrap(shared)};
        ByteBuffer theirs = ByteBuffer.wrap(shared);
        CopyingWrite.tryWrite(new Socket(Integer.MAX_VALUE), mine);
        assertFalse(mine[1].hasRemaining());
        assertEquals(shared.length, theirs.remaining());
        assertEquals("MSG room=r seq=1 from=a :hi\n", StandardCharsets.US_ASCII.decode(theirs).toString());
    }

    @Test
    void onlyBatchesOfHeapFramesThatFitAreMerged() {
        assertFalse(CopyingWrite.suits(frames("one frame\n"), 10), "one frame goes as it is");
        assertTrue(CopyingWrite.suits(frames("a\n", "b\n"), 4));
        assertFalse(CopyingWrite.suits(frames("a\n", "b\n"), CopyingWrite.MAX_BYTES + 1L));
        ByteBuffer[] mixed = {ByteBuffer.wrap(new byte[] {'a'}), ByteBuffer.allocateDirect(1)};
        assertFalse(CopyingWrite.suits(mixed, 2));
    }

    @Test
    void aFailedWriteLeavesTheFramesWhereTheyWere() {
        ByteBuffer[] batch = frames("a\n", "b\n");
        assertThrows(IOException.class, () -> CopyingWrite.tryWrite(b -> {
            throw new IOException("reset");
        }, batch));
        assertEquals("a\n|b\n|", left(batch));
    }
}
