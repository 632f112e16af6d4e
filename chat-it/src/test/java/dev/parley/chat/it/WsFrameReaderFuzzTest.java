package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.chat.net.internal.WsCloseException;
import dev.parley.chat.net.internal.WsFrameReader;
import dev.parley.chat.net.internal.WsFrames;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes {@link WsFrameReader}, the parser of what a WebSocket client sends: the first input byte picks
 * how the bytes are cut into reads (as a socket might deliver them), the second the message size limit,
 * the rest is the byte stream from the client.
 *
 * <p>Invariants: the reader only returns its kinds or fails with a {@link WsCloseException} carrying a
 * close code docs/websocket.md lists (1002, 1003, 1007, 1008, 1009) or with {@link EOFException}; it
 * finds the same events however the bytes are cut; a text message is never longer than the limit and
 * is valid UTF-8 by the JDK's own decoder (a differential check of {@code WsUtf8}); the message
 * buffer never grows past the limit; control payloads are at most 125 bytes; close codes are ones a
 * client may send (or 1005 for none); {@code END} comes only at the end of the stream; the reader
 * never loops without consuming input.
 *
 * <p>Regression mode in CI over {@code src/test/resources/dev/parley/chat/it/WsFrameReaderFuzzTestInputs/frames/};
 * fuzzing: {@code JAZZER_FUZZ=1 mvn verify -pl chat-it -am -Dtest=WsFrameReaderFuzzTest -Djazzer.max_duration=30m}.
 */
class WsFrameReaderFuzzTest {
    private static final Set<Integer> DOCUMENTED_CODES = Set.of(WsFrames.PROTOCOL_ERROR, WsFrames.UNSUPPORTED_DATA,
            WsFrames.INVALID_PAYLOAD, WsFrames.POLICY_VIOLATION, WsFrames.MESSAGE_TOO_BIG);
    /** More events than this from one input means the reader loops without consuming. */
    private static final int MAX_EVENTS = 100_000;

    @FuzzTest(maxDuration = "30m")
    void frames(byte[] input) throws IOException {
        if (input.length < 2) {
            return;
        }
        int cut = input[0] & 0x3f; // 0: reads of any size; n: reads of at most n bytes
        int maxMessageSize = 256 + (input[1] & 0x0f) * 256;
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);

        List<Object> whole = run(new ByteArrayInputStream(stream), maxMessageSize, stream.length);
        List<Object> cutUp = run(new ShortReads(stream, cut == 0 ? 1 : cut), maxMessageSize, stream.length);
        assertEquals(whole, cutUp, "events depend on how the bytes arrive");
    }

    /** Reads events until the end, a close frame or a failure; checks each as it comes. */
    private static List<Object> run(InputStream in, int maxMessageSize, int streamLength) throws IOException {
        CountingStream counted = new CountingStream(in);
        WsFrameReader reader = new WsFrameReader(counted, maxMessageSize);
        List<Object> events = new ArrayList<>();
        while (events.size() < MAX_EVENTS) {
            WsFrameReader.Kind kind;
            try {
                kind = reader.next();
            } catch (WsCloseException e) {
                assertTrue(DOCUMENTED_CODES.contains(e.code()), "undocumented close code " + e.code());
                assertTrue(e.reason().getBytes(StandardCharsets.UTF_8).length <= 123, "close reason too long");
                events.add("close " + e.code());
                return events;
            } catch (EOFException e) {
                events.add("eof");
                return events;
            }
            assertTrue(reader.message().length <= maxMessageSize, "message buffer past the limit");
            switch (kind) {
                case TEXT -> {
                    int n = reader.messageLength();
                    assertTrue(n <= maxMessageSize, "message longer than the limit");
                    byte[] text = Arrays.copyOf(reader.message(), n);
                    assertValidUtf8(text);
                    events.add(ByteBuffer.wrap(text));
                }
                case PING, PONG -> {
                    assertTrue(reader.controlPayload().length <= 125, "control payload over 125 bytes");
                    events.add(kind + " " + ByteBuffer.wrap(reader.controlPayload().clone()));
                }
                case CLOSE -> {
                    int code = reader.closeCode();
                    assertTrue(code == WsFrames.NO_STATUS || WsFrames.isValidCloseCode(code), "close code " + code);
                    events.add("CLOSE " + code + " " + reader.closeReason());
                    return events;
                }
                case END -> {
                    assertEquals(streamLength, counted.count, "END before the end of the stream");
                    events.add("END");
                    return events;
                }
            }
        }
        fail("more than " + MAX_EVENTS + " events from " + streamLength + " bytes");
        return events;
    }

    private static void assertValidUtf8(byte[] text) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(text));
        } catch (CharacterCodingException e) {
            fail("a text message the JDK finds not UTF-8: " + Arrays.toString(text));
        }
    }

    /** Hands out at most {@code max} bytes per read, as a socket may. */
    private static final class ShortReads extends InputStream {
        private final byte[] bytes;
        private final int max;
        private int pos;

        ShortReads(byte[] bytes, int max) {
            this.bytes = bytes;
            this.max = max;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, max), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** Counts the bytes taken from the stream. */
    private static final class CountingStream extends InputStream {
        private final InputStream in;
        int count;

        CountingStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
