package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzz tests of {@link FrameDecoder}. In CI they run in Jazzer's regression mode over the committed
 * seeds in {@code src/test/resources/dev/parley/chat/protocol/FrameDecoderFuzzTestInputs/<method>/};
 * with {@code JAZZER_FUZZ=1} Jazzer mutates inputs (see RELIABILITY.md, "Fuzzing").
 *
 * <p>They run in their own surefire execution ({@code fuzz}) because Jazzer instruments every class
 * loaded after it in the same JVM.
 */
class FrameDecoderFuzzTest {
    /** The only codes the decoder itself may report; everything else is the server's business. */
    private static final Set<ErrorCode> DECODER_CODES =
            EnumSet.of(ErrorCode.LINE_TOO_LONG, ErrorCode.INVALID_UTF8, ErrorCode.BAD_FRAME);

    /**
     * Any bytes, split anywhere: the decoder never throws, never holds more than {@code max + 1}
     * bytes, reports only decoder codes, finds the same frames and errors however the bytes are split,
     * and every frame it returns is well formed and survives an encode/decode round trip.
     */
    @FuzzTest(maxDuration = "30m")
    void decode(FuzzedDataProvider data) {
        int max = data.consumeInt(64, 256);
        int[] cuts = new int[data.consumeInt(0, 16)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 4096);
        }
        byte[] input = data.consumeRemainingAsBytes();

        List<Object> whole = run(max, input, new int[0]);
        List<Object> split = run(max, input, cuts);
        assertEquals(whole, split, "events depend on how the bytes were split");
        List<Object> bytewise = runBytewise(max, input);
        assertEquals(whole, bytewise, "events differ when fed one byte at a time");

        int lines = 1;
        for (byte b : input) {
            if (b == '\n') {
                lines++;
            }
        }
        assertTrue(whole.size() <= lines, "more events than lines");
        for (Object event : whole) {
            if (event instanceof Frame frame) {
                checkFrame(frame, max);
            }
        }
    }

    /**
     * A frame built from fuzzed parts through the public builder encodes to a line the decoder turns
     * back into the same frame.
     */
    @FuzzTest(maxDuration = "30m")
    void roundTrip(FuzzedDataProvider data) {
        String verb = data.consumeString(8).toUpperCase(java.util.Locale.ROOT);
        Frame frame;
        try {
            frame = Frame.of(verb);
        } catch (IllegalArgumentException e) {
            return; // not a verb: nothing to round-trip
        }
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            String key = data.consumeString(6);
            String value = data.consumeString(24);
            try {
                frame = frame.with(key, value);
            } catch (IllegalArgumentException e) {
                // a key or value the grammar forbids: the builder refused it, as it should
            }
        }
        if (data.consumeBoolean()) {
            try {
                frame = frame.text(data.consumeRemainingAsString());
            } catch (IllegalArgumentException e) {
                // text with NUL
            }
        }
        byte[] wire = FrameEncoder.encode(frame);
        int max = Math.max(64, wire.length);
        List<Frame> back = FrameDecoder.decodeAll(wire, max);
        assertEquals(List.of(frame), back);
        // Splitting the wire bytes does not change the result either.
        assertEquals(List.of(frame), framesOnly(runBytewise(max, wire)));
    }

    private static void checkFrame(Frame frame, int max) {
        assertTrue(Syntax.isVerb(frame.verb()), "bad verb");
        for (int i = 0; i < frame.fieldCount(); i++) {
            assertTrue(Syntax.isKey(frame.key(i)), "bad key");
            assertTrue(Syntax.isValue(frame.value(i)), "bad value");
        }
        assertEquals(frame.fieldCount(), frame.fields().size(), "duplicate key accepted");
        if (frame.text() != null) {
            assertFalse(frame.text().indexOf('\0') >= 0, "NUL in text");
        }
        byte[] again = FrameEncoder.encode(frame);
        // The encoder may produce a line that is longer than the input (escapes), so allow for it.
        List<Frame> back = FrameDecoder.decodeAll(again, Math.max(max, again.length));
        assertEquals(List.of(frame), back, "frame does not survive a round trip");
    }

    private static List<Object> run(int max, byte[] input, int[] cuts) {
        FrameDecoder decoder = new FrameDecoder(max);
        Recorder sink = new Recorder();
        int off = 0;
        for (int cut : cuts) {
            int len = Math.min(cut, input.length - off);
            decoder.decode(input, off, len, sink);
            off += len;
            assertTrue(decoder.buffered() <= max + 1, "buffered more than max + 1 bytes");
        }
        decoder.decode(input, off, input.length - off, sink);
        assertTrue(decoder.buffered() <= max + 1, "buffered more than max + 1 bytes");
        return sink.events;
    }

    private static List<Object> runBytewise(int max, byte[] input) {
        FrameDecoder decoder = new FrameDecoder(max);
        Recorder sink = new Recorder();
        for (int i = 0; i < input.length; i++) {
            decoder.decode(input, i, 1, sink);
            assertTrue(decoder.buffered() <= max + 1, "buffered more than max + 1 bytes");
        }
        return sink.events;
    }

    private static List<Frame> framesOnly(List<Object> events) {
        List<Frame> frames = new ArrayList<>();
        for (Object e : events) {
            if (e instanceof Frame f) {
                frames.add(f);
            } else {
                fail("unexpected error " + e);
            }
        }
        return frames;
    }

    /** Records frames, and errors as their codes (messages may mention byte counts). */
    private static final class Recorder implements FrameDecoder.Sink {
        final List<Object> events = new ArrayList<>();

        @Override
        public void frame(Frame frame) {
            assertNotNull(frame);
            events.add(frame);
        }

        @Override
        public void error(ProtocolException error) {
            assertTrue(DECODER_CODES.contains(error.code()), "unexpected code " + error.code());
            assertNotNull(error.getMessage());
            events.add(error.code());
        }
    }
}
