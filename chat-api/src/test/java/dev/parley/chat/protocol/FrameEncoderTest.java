package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameEncoderTest {

    private static final List<Frame> FRAMES = List.of(
            Frame.of("PING"),
            Frame.of("QUIT").text(""),
            Frame.of("SEND").with("room", "lobby").with("ref", "2").with("id", "7f3a").text("hello\neveryone"),
            Frame.of("MSG").with("room", "lobby").with("seq", 41).with("from", "Ritam")
                    .with("time", "2026-11-23T10:00:00.123Z").text("hi there"),
            Frame.of("JOINED").with("room", "lobby").with("name", "সৌভিক").with("head", 42),
            Frame.of("SEND").with("to", "Zoë").text("C:\\temp\r\nß ∑ 👋 \t tab"),
            Frame.of("ERROR").with("code", "BAD_FRAME").text("a \\ b"),
            Frame.of("PING").with("token", ""));

    @Test
    void encodeIsTheUtf8OfTheLinePlusLf() {
        for (Frame f : FRAMES) {
            byte[] expected = (FrameEncoder.toLine(f) + "\n").getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(expected, FrameEncoder.encode(f), f.toString());
            assertEquals(expected.length, FrameEncoder.encodedLength(f));
        }
    }

    @Test
    void exactBytesOfTheDecidedExample() {
        Frame f = Frame.of("SEND").with("room", "lobby").with("ref", "2").with("id", "7f3a").text("hello\neveryone");
        assertEquals("SEND room=lobby ref=2 id=7f3a :hello\\neveryone\n",
                new String(FrameEncoder.encode(f), StandardCharsets.UTF_8));
    }

    @Test
    void everyFrameDecodesBackToItself() {
        for (Frame f : FRAMES) {
            assertEquals(List.of(f), FrameDecoder.decodeAll(FrameEncoder.encode(f), 16384));
        }
    }

    @Test
    void randomTextsRoundTrip() {
        Random random = new Random(7878);
        int[] pool = {'a', 'Z', ' ', ':', '=', '\\', 'n', 'r', '\n', '\r', '\t', 0x7f, 0xe9, 0x7ff, 0x800, 0x202e,
            0xfeff, 0xfffd, 0x1f44b, 0x10ffff};
        for (int round = 0; round < 2000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++) {
                sb.appendCodePoint(pool[random.nextInt(pool.length)]);
            }
            Frame f = Frame.of("SEND").with("room", "r").text(sb.toString());
            byte[] wire = FrameEncoder.encode(f);
            assertEquals(List.of(f), FrameDecoder.decodeAll(wire, 16384), sb.toString());
            assertEquals(wire.length, FrameEncoder.encodedLength(f));
        }
    }

    @Test
    void loneSurrogatesBecomeQuestionMarksLikeGetBytes() {
        Frame f = Frame.of("PING").text("a\ud800b\udc00");
        assertArrayEquals("PING :a?b?\n".getBytes(StandardCharsets.UTF_8), FrameEncoder.encode(f));
        assertEquals(11, FrameEncoder.encodedLength(f));
    }

    @Test
    void frameBuilderRefusesWhatCannotBeEncoded() {
        assertEquals("not a verb: ping", assertThrows(IllegalArgumentException.class, () -> Frame.of("ping")).getMessage());
        assertEquals("not a field key: Room",
                assertThrows(IllegalArgumentException.class, () -> Frame.of("JOIN").with("Room", "a")).getMessage());
        assertEquals("field room has a space, CR, LF or NUL in its value",
                assertThrows(IllegalArgumentException.class, () -> Frame.of("JOIN").with("room", "a b")).getMessage());
        assertEquals("duplicate field: room", assertThrows(IllegalArgumentException.class,
                () -> Frame.of("JOIN").with("room", "a").with("room", "b")).getMessage());
        assertEquals("text contains NUL",
                assertThrows(IllegalArgumentException.class, () -> Frame.of("PING").text("a\0")).getMessage());
    }

    @Test
    void nullValuesAreSkipped() {
        assertEquals("JOIN room=a", Frame.of("JOIN").with("room", "a").with("ref", null).toString());
    }
}
