package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ServerMessage#encode()} of the frames written straight into bytes ({@code MSG}, {@code ACK})
 * gives exactly {@code FrameEncoder.encode(toFrame())}, for many messages: every optional field present
 * and absent, non-ASCII, escapes, lone surrogates, numbers of every length, timestamps of every year.
 */
@Timeout(30)
class ServerMessageEncodeTest {
    /** Code points a value may hold: no space, CR, LF or NUL; ASCII, 2-, 3- and 4-byte UTF-8, a bidi control. */
    private static final int[] VALUE_CHARS = {'a', 'Z', '0', '-', '_', '.', ':', '=', '\\', '\t', 0x7f, 0xe9, 0x7ff,
        0x800, 0x9a5, 0x202e, 0xfeff, 0xfffd, 0x1f44b, 0x10ffff};
    /** What a text may hold in addition: space, CR, LF (escaped on the wire with the backslash). */
    private static final int[] TEXT_CHARS = {'a', ' ', ':', '\\', 'n', 'r', '\n', '\r', '\t', 0xdf, 0x2211, 0x1f44b,
        0x10ffff, 0x80, 0xffff};
    private static final Instant FIRST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private final Random random = new Random(20261203);

    @Test
    void msgIsTheEncodingOfItsFrame() {
        for (int i = 0; i < 20_000; i++) {
            boolean room = random.nextBoolean();
            ServerMessage.Msg m = new ServerMessage.Msg(room ? value() : null, room ? null : value(), seq(), value(),
                    time(), text(), random.nextBoolean() ? value() : null);
            assertSame(m);
        }
    }

    @Test
    void ackIsTheEncodingOfItsFrame() {
        for (int i = 0; i < 20_000; i++) {
            boolean room = random.nextBoolean();
            ServerMessage.Ack m = new ServerMessage.Ack(room ? value() : null, room ? null : value(), seq(), time(),
                    random.nextBoolean() ? value() : null, random.nextBoolean() ? value() : null);
            assertSame(m);
        }
    }

    @Test
    void theExamplesOfTheProtocol() {
        Instant t = Instant.parse("2026-11-23T10:00:00.123Z");
        assertEquals("MSG room=lobby seq=41 from=Ritam time=2026-11-23T10:00:00.123Z :hi there\n",
                wire(new ServerMessage.Msg("lobby", null, 41, "Ritam", t, "hi there", null)));
        assertEquals("MSG with=Zoë seq=3 from=Zoë time=2026-11-23T10:00:00.123Z ref=7 :a\\\\b\\nc\\rd 👋\n",
                wire(new ServerMessage.Msg(null, "Zoë", 3, "Zoë", t, "a\\b\nc\rd 👋", "7")));
        assertEquals("MSG room=r seq=1 from=a time=2026-11-23T10:00:00.123Z :\n",
                wire(new ServerMessage.Msg("r", null, 1, "a", t, "", null)));
        assertEquals("ACK ref=2 room=lobby seq=43 time=2026-11-23T10:00:00.123Z id=7f3a\n",
                wire(new ServerMessage.Ack("lobby", null, 43, t, "7f3a", "2")));
        assertEquals("ACK to=Ritam seq=9223372036854775807 time=2026-11-23T10:00:00.123Z\n",
                wire(new ServerMessage.Ack(null, "Ritam", Long.MAX_VALUE, t, null, null)));
    }

    @Test
    void loneSurrogatesAndTimesBeyondYear9999AreWrittenAsTheFrameEncoderDoes() {
        Instant t = Instant.parse("+10000-01-01T00:00:00Z");
        assertSame(new ServerMessage.Msg("r\ud800", null, 1, "a\udc00b", t, "x\ud800y\udbff", "\udfff"));
        assertSame(new ServerMessage.Ack("r", null, 1, Instant.parse("-0001-12-31T23:59:59.999Z"), "\ud800", null));
    }

    @Test
    void refusesWhatTheFrameRefusesWithTheSameMessage() {
        Instant t = Instant.EPOCH;
        List<ServerMessage> bad = List.of(
                new ServerMessage.Msg("lob by", null, 1, "a", t, "x", null),
                new ServerMessage.Msg("lobby", null, 1, "a\nb", t, "x", null),
                new ServerMessage.Msg("lobby", null, 1, "a", t, "x", "r\r"),
                new ServerMessage.Msg("lobby", null, 1, "a", t, "x\0y", null),
                new ServerMessage.Ack("lobby", null, 1, t, "i d", null),
                new ServerMessage.Ack(null, "a\0", 1, t, null, null));
        for (ServerMessage m : bad) {
            String expected = assertThrows(IllegalArgumentException.class, m::toFrame).getMessage();
            assertEquals(expected, assertThrows(IllegalArgumentException.class, m::encode).getMessage());
        }
    }

    private static void assertSame(ServerMessage m) {
        assertArrayEquals(FrameEncoder.encode(m.toFrame()), m.encode(), m::toString);
    }

    private static String wire(ServerMessage m) {
        assertSame(m);
        return new String(m.encode(), StandardCharsets.UTF_8);
    }

    private String value() {
        return string(VALUE_CHARS, 1 + random.nextInt(random.nextInt(10) == 0 ? 40 : 8));
    }

    private String text() {
        return string(random.nextBoolean() ? TEXT_CHARS : VALUE_CHARS, random.nextInt(random.nextInt(10) == 0 ? 300 : 30));
    }

    private String string(int[] pool, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.appendCodePoint(pool[random.nextInt(pool.length)]);
        }
        return sb.toString();
    }

    /** 1 to 19 digits. */
    private long seq() {
        long limit = (long) Math.pow(10, 1 + random.nextInt(19)); // 10^19 saturates to Long.MAX_VALUE
        return 1 + Math.floorMod(random.nextLong(), limit);
    }

    private Instant time() {
        if (random.nextInt(50) == 0) { // beyond the years written by hand
            return Instant.ofEpochSecond(LAST.getEpochSecond() + 1 + random.nextInt(1_000_000_000));
        }
        long seconds = FIRST.getEpochSecond() + Math.floorMod(random.nextLong(), LAST.getEpochSecond() - FIRST.getEpochSecond());
        return Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
    }
}
