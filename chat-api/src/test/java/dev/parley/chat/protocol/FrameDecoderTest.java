package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class FrameDecoderTest {
    private static final int MAX = 64;

    /** A session with CRLF and LF endings, blank lines, escapes, non-ASCII text and one bad line. */
    private static final String STREAM = "HELLO proto=1 name=Souvik\r\n"
            + "\r\n"
            + "JOIN room=lobby ref=1\n"
            + "\n"
            + "SEND room=lobby ref=2 id=7f3a :hello\\neveryone\r\n"
            + "join room=x\n"
            + "SEND room=lobby :নমস্কার 👋 C:\\temp\n"
            + "QUIT :bye\n";

    private static final List<String> EXPECTED = List.of(
            "HELLO proto=1 name=Souvik",
            "JOIN room=lobby ref=1",
            "SEND room=lobby ref=2 id=7f3a :hello\\neveryone",
            "BAD_FRAME verb must be capital letters, digits or '_' (at most 32): join",
            "SEND room=lobby :নমস্কার 👋 C:\\\\temp",
            "QUIT :bye");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RecordingSink decodeAtOnce(byte[] input, int max) {
        RecordingSink sink = new RecordingSink();
        new FrameDecoder(max).decode(input, 0, input.length, sink);
        return sink;
    }

    private static RecordingSink decodeOneByteAtATime(byte[] input, int max) {
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = new FrameDecoder(max);
        for (int i = 0; i < input.length; i++) {
            decoder.decode(input, i, 1, sink);
            assertTrue(decoder.buffered() <= max + 1, "buffered " + decoder.buffered());
        }
        return sink;
    }

    @Test
    void manyFramesInOneRead() {
        assertEquals(EXPECTED, decodeAtOnce(bytes(STREAM), 16384).events);
    }

    @Test
    void oneByteAtATime() {
        assertEquals(EXPECTED, decodeOneByteAtATime(bytes(STREAM), 16384).events);
    }

    @Test
    void randomSplitsGiveTheSameResult() {
        byte[] input = bytes(STREAM.repeat(5));
        List<String> expected = decodeAtOnce(input, 16384).events;
        Random random = new Random(20261123L);
        for (int round = 0; round < 300; round++) {
            RecordingSink sink = new RecordingSink();
            FrameDecoder decoder = new FrameDecoder(16384);
            int i = 0;
            while (i < input.length) {
                int n = Math.min(input.length - i, 1 + random.nextInt(40));
                // copy into a fresh, offset array so the decoder cannot rely on earlier buffers
                byte[] chunk = new byte[n + 7];
                System.arraycopy(input, i, chunk, 7, n);
                decoder.decode(chunk, 7, n, sink);
                i += n;
            }
            assertEquals(expected, sink.events, "round " + round);
        }
    }

    @Test
    void heapAndDirectByteBuffersAreConsumed() {
        byte[] input = bytes(STREAM);
        ByteBuffer heap = ByteBuffer.allocate(input.length + 10);
        heap.put(new byte[10]).put(input).flip().position(10);
        RecordingSink a = new RecordingSink();
        new FrameDecoder(16384).decode(heap.slice(), a);
        assertEquals(EXPECTED, a.events);

        ByteBuffer direct = ByteBuffer.allocateDirect(input.length).put(input).flip();
        RecordingSink b = new RecordingSink();
        new FrameDecoder(16384).decode(direct, b);
        assertEquals(EXPECTED, b.events);
        assertEquals(0, direct.remaining());
    }

    @Test
    void anUnfinishedLineWaitsForItsLf() {
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = new FrameDecoder(MAX);
        byte[] part = bytes("PING token=1");
        decoder.decode(part, 0, part.length, sink);
        assertEquals(List.of(), sink.events);
        assertEquals(part.length, decoder.buffered());
        decoder.decode(bytes("\r"), 0, 1, sink);
        assertEquals(List.of(), sink.events);
        decoder.decode(bytes("\n"), 0, 1, sink);
        assertEquals(List.of("PING token=1"), sink.events);
        assertEquals(0, decoder.buffered());
    }

    @Test
    void wholeLinesAreParsedInPlaceAndOnlyASplitLineIsBuffered() {
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = new FrameDecoder(16384);
        byte[] stream = bytes(STREAM);
        byte[] padded = new byte[stream.length + 20];
        System.arraycopy(stream, 0, padded, 7, stream.length);
        decoder.decode(padded, 7, stream.length, sink); // at an offset: the in-place path must honour it
        assertEquals(EXPECTED, sink.events);
        assertEquals(0, decoder.lineCapacity(), "no line was split: no buffer");
        byte[] half = bytes("SEND room=lobby :নমস");
        decoder.decode(half, 0, half.length, sink);
        assertTrue(decoder.lineCapacity() >= half.length);
        byte[] rest = bytes("্কার\r\nPING\n");
        decoder.decode(rest, 0, rest.length, sink);
        assertEquals(List.of("SEND room=lobby :নমস্কার", "PING"), sink.events.subList(EXPECTED.size(), sink.events.size()));
    }

    @Test
    void invalidUtf8InPlaceReportsTheOffsetWithinTheLine() {
        RecordingSink sink = new RecordingSink();
        byte[] line = bytes("xxSEND room=a :ok\u00ff\n");
        line[line.length - 3] = (byte) 0xff; // a stray byte in the text
        new FrameDecoder(MAX).decode(line, 2, line.length - 2, sink);
        assertEquals(1, sink.events.size());
        assertTrue(sink.events.get(0).startsWith("INVALID_UTF8"), sink.events.get(0));
        assertTrue(sink.events.get(0).contains("at byte " + (line.length - 2 - 3)), sink.events.get(0));
    }

    @Test
    void blankLinesAreIgnored() {
        assertEquals(List.of("PING"), decodeAtOnce(bytes("\n\r\n\n\r\nPING\n\n"), MAX).events);
    }

    @Test
    void blankLinesAreReportedAsEmptyLinesAtOnceAndByteByByte() {
        byte[] input = bytes("\n\r\n\n\r\nPING\n\n");
        assertEquals(5, decodeAtOnce(input, MAX).emptyLines);
        assertEquals(5, decodeOneByteAtATime(input, MAX).emptyLines);
    }

    @Test
    void spacesBetweenFieldsAreTolerated() {
        Frame f = decodeAtOnce(bytes("JOIN   room=lobby  ref=1   \n"), MAX).frames.get(0);
        assertEquals("JOIN room=lobby ref=1", f.toString());
        assertNull(f.text());
    }

    @Test
    void lineOfExactlyMaxBytesIsAccepted() {
        String line = "PING token=" + "x".repeat(MAX - 11);
        assertEquals(MAX, bytes(line).length);
        assertEquals(List.of(line), decodeAtOnce(bytes(line + "\n"), MAX).events);
        assertEquals(List.of(line), decodeAtOnce(bytes(line + "\r\n"), MAX).events);
        assertEquals(List.of(line), decodeOneByteAtATime(bytes(line + "\r\n"), MAX).events);
    }

    @Test
    void lineOfMaxPlusOneIsRejectedWithOrWithoutCr() {
        String line = "PING token=" + "x".repeat(MAX - 10);
        assertEquals(MAX + 1, bytes(line).length);
        List<String> expected = List.of("LINE_TOO_LONG line exceeds 64 bytes", "PING");
        assertEquals(expected, decodeAtOnce(bytes(line + "\nPING\n"), MAX).events);
        assertEquals(expected, decodeAtOnce(bytes(line + "\r\nPING\n"), MAX).events);
        assertEquals(expected, decodeOneByteAtATime(bytes(line + "\nPING\n"), MAX).events);
        assertEquals(expected, decodeOneByteAtATime(bytes(line + "\r\nPING\n"), MAX).events);
    }

    @Test
    void maxBytesFollowedByTwoCrsIsTooLong() {
        String line = "PING token=" + "x".repeat(MAX - 11);
        assertEquals(List.of("LINE_TOO_LONG line exceeds 64 bytes"),
                decodeOneByteAtATime(bytes(line + "\r\r\n"), MAX).events);
    }

    @Test
    void tooLongIsReportedBeforeTheLfArrivesAndNothingPastTheLimitIsBuffered() {
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = new FrameDecoder(MAX);
        byte[] x = {'X'};
        for (int i = 0; i < MAX + 1; i++) {
            decoder.decode(x, 0, 1, sink);
        }
        assertEquals(List.of(), sink.events, "max + 1 bytes could still be a line ending in CR");
        assertEquals(MAX + 1, decoder.buffered());
        assertEquals(0, decoder.discarded());
        decoder.decode(x, 0, 1, sink);
        assertEquals(List.of("LINE_TOO_LONG line exceeds 64 bytes"), sink.events);
        assertEquals(0, decoder.buffered());
        assertEquals(MAX + 2, decoder.discarded());
    }

    @Test
    void discardedGrowsForAnEndlessLineAndResetsAtLf() {
        RecordingSink sink = new RecordingSink();
        FrameDecoder decoder = new FrameDecoder(MAX);
        byte[] chunk = bytes("Y".repeat(1000));
        long total = 0;
        for (int i = 0; i < 50; i++) {
            decoder.decode(chunk, 0, chunk.length, sink);
            total += chunk.length;
            assertEquals(total, decoder.discarded());
            assertEquals(0, decoder.buffered());
        }
        assertEquals(1, sink.errors.size(), "one error per line, however long");
        byte[] rest = bytes("tail\r\nPING token=after\n");
        decoder.decode(rest, 0, rest.length, sink);
        assertEquals(0, decoder.discarded());
        assertEquals(List.of("LINE_TOO_LONG line exceeds 64 bytes", "PING token=after"), sink.events);
    }

    @Test
    void tooLongLineInsideOneReadIsSkippedUpToItsLf() {
        String input = "PING token=1\n" + "Z".repeat(500) + "\nPING token=2\n";
        List<String> expected = List.of("PING token=1", "LINE_TOO_LONG line exceeds 64 bytes", "PING token=2");
        assertEquals(expected, decodeAtOnce(bytes(input), MAX).events);
        assertEquals(expected, decodeOneByteAtATime(bytes(input), MAX).events);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "overlong NUL C0 80|50 49 4E 47 20 3A C0 80|6",
        "overlong slash C1 BF|50 49 4E 47 20 3A C1 BF|6",
        "overlong three bytes E0 80 AF|50 49 4E 47 20 3A E0 80 AF|6",
        "overlong four bytes F0 80 80 AF|50 49 4E 47 20 3A F0 80 80 AF|6",
        "surrogate ED A0 80|50 49 4E 47 20 3A ED A0 80|6",
        "low surrogate ED BF BF|50 49 4E 47 20 3A ED BF BF|6",
        "above U+10FFFF F4 90 80 80|50 49 4E 47 20 3A F4 90 80 80|6",
        "F5 lead byte|50 49 4E 47 20 3A F5 80 80 80|6",
        "FF byte|50 49 4E 47 20 3A FF|6",
        "lone continuation 80|50 49 4E 47 20 3A 80|6",
        "truncated two-byte at end|50 49 4E 47 20 3A C3|6",
        "truncated three-byte at end|50 49 4E 47 20 3A E2 82|6",
        "truncated four-byte at end|50 49 4E 47 20 3A F0 9F 91|6",
        "truncated three-byte before ASCII|50 49 4E 47 20 3A E2 82 41|6",
        "bad byte in verb|50 C3 49 4E 47|1",
    })
    void invalidUtf8IsRejectedWithItsOffset(String name, String hex, int offset) {
        byte[] line = hex(hex);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes(line);
        input.writeBytes(bytes("\nPING\n"));
        List<String> expected = List.of("INVALID_UTF8 line is not valid UTF-8 (at byte " + offset + ")", "PING");
        assertEquals(expected, decodeAtOnce(input.toByteArray(), MAX).events);
        assertEquals(expected, decodeOneByteAtATime(input.toByteArray(), MAX).events);
    }

    @Test
    void validMultiByteSequencesAtTheirLimitsAreAccepted() {
        // U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, U+10000, U+10FFFF
        String text = "\u0080\u07ff\u0800\ud7ff\ue000\ufffd\ud800\udc00\udbff\udfff";
        byte[] input = bytes("PING :" + text + "\n");
        assertEquals(text, decodeOneByteAtATime(input, MAX).frames.get(0).text());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "NUL in text|PING :a\u0000b|NUL byte in line",
        "NUL in verb|PI\u0000NG|NUL byte in line",
        "raw CR|PING :a\rb|CR inside a line (only CR LF ends a line)",
        "lower-case verb|ping|verb must be capital letters, digits or '_' (at most 32): ping",
        "verb starting with a digit|1PING|verb must be capital letters, digits or '_' (at most 32): 1PING",
        "verb with a dash|PI-NG|verb must be capital letters, digits or '_' (at most 32): PI-NG",
        "leading space|' PING'|'verb must be capital letters, digits or ''_'' (at most 32): '",
        "33-character verb|ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG|verb must be capital letters, digits or '_' (at most 32): ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG",
        "verb glued to text|PING:x|verb must be capital letters, digits or '_' (at most 32): PING:x",
        "upper-case key|JOIN Room=lobby|field key must be lower-case letters, digits or '-' (at most 32): Room",
        "empty key|JOIN =lobby|'field key must be lower-case letters, digits or ''-'' (at most 32): '",
        "key with underscore|JOIN max_line=1|field key must be lower-case letters, digits or '-' (at most 32): max_line",
        "field without =|JOIN lobby|field without '=': lobby",
        "duplicate field|JOIN room=a room=b|duplicate field: room",
        "duplicate ref|PING ref=1 token=x ref=1|duplicate field: ref",
    })
    void badLinesAreRejectedWithExactTextsAndDecodingContinues(String name, String line, String text) {
        String input = line + "\nPING token=next\n";
        List<String> expected = List.of("BAD_FRAME " + text, "PING token=next");
        assertEquals(expected, decodeAtOnce(bytes(input), MAX).events);
        assertEquals(expected, decodeOneByteAtATime(bytes(input), MAX).events);
        ProtocolException e = assertThrows(ProtocolException.class, () -> FrameDecoder.parseLine(line));
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertEquals(text, e.getMessage());
        assertNull(e.ref());
    }

    @Test
    void textKeepsSpacesColonsAndEqualsSigns() {
        Frame f = FrameDecoder.parseLine("SEND room=a : x=1 :: y ");
        assertEquals(" x=1 :: y ", f.text());
        assertEquals(1, f.fieldCount());
    }

    @Test
    void valuesMayContainEqualsColonsAndBeEmpty() {
        Frame f = FrameDecoder.parseLine("PING token=a=b:c ref=");
        assertEquals("a=b:c", f.field("token"));
        assertEquals("", f.field("ref"));
    }

    @Test
    void escapesInTextAreResolvedAndUnknownOnesKept() {
        assertEquals("a\\b\nc\rd\\te\\", FrameDecoder.parseLine("PING :a\\\\b\\nc\\rd\\te\\").text());
        assertEquals("\\n", FrameDecoder.parseLine("PING :\\\\n").text());
    }

    @Test
    void nonAsciiFieldsAndTextAreDecodedPieceByPiece() {
        String line = "SEND room=café name=👋 ref=নমস্কার x=é=ü:👋 :ü \\n é👋";
        Frame f = FrameDecoder.parseLine(line);
        assertEquals("SEND", f.verb());
        assertEquals(List.of("room", "name", "ref", "x"), f.keys());
        assertEquals("café", f.field("room"));
        assertEquals("👋", f.field("name"));
        assertEquals("নমস্কার", f.field("ref"));
        assertEquals("é=ü:👋", f.field("x"));
        assertEquals("ü \n é👋", f.text());
        assertEquals(List.of(f), FrameDecoder.decodeAll(bytes(line + "\n"), MAX * 2));
        assertEquals(List.of(f), decodeOneByteAtATime(bytes(line + "\r\n"), MAX * 2).frames);
    }

    @Test
    void fieldBoundariesNextToMultiByteCharacters() {
        Frame f = FrameDecoder.parseLine("PING a=é b=👋  c= d=\u00e9\u00e9 :👋");
        assertEquals("é", f.field("a"));
        assertEquals("👋", f.field("b"));
        assertEquals("", f.field("c"));
        assertEquals("éé", f.field("d"));
        assertEquals("👋", f.text());
        assertEquals("é", FrameDecoder.parseLine("PING :é").text());
        assertEquals("", FrameDecoder.parseLine("PING e=é :").text());
        assertEquals("é", FrameDecoder.parseLine("PING a=é").field("a"));
    }

    @Test
    void aLineWithoutFieldsOrTextHasNeither() {
        for (String line : List.of("PING", "PING ", "PING   ")) {
            Frame f = FrameDecoder.parseLine(line);
            assertEquals(0, f.fieldCount(), line);
            assertNull(f.text(), line);
            assertEquals(Frame.of("PING"), f);
        }
        assertEquals("", FrameDecoder.parseLine("PING :").text());
        assertEquals(0, FrameDecoder.parseLine("PING :").fieldCount());
        assertEquals(" a=b", FrameDecoder.parseLine("PING : a=b").text());
        assertEquals(0, FrameDecoder.parseLine("PING : a=b").fieldCount());
    }

    @Test
    void escapesAtTheEndAndNextToMultiByteCharacters() {
        assertEquals("\\", FrameDecoder.parseLine("PING :\\").text());
        assertEquals("é\\", FrameDecoder.parseLine("PING :é\\").text());
        assertEquals("👋\\", FrameDecoder.parseLine("PING a=b :👋\\").text());
        assertEquals("a\n", FrameDecoder.parseLine("PING :a\\n").text());
        assertEquals("a\\", FrameDecoder.parseLine("PING :a\\\\").text());
        assertEquals("a\\\\", FrameDecoder.parseLine("PING :a\\\\\\").text());
        assertEquals("\\é\\👋", FrameDecoder.parseLine("PING :\\é\\👋").text());
        assertEquals("\né\r👋\\", FrameDecoder.parseLine("PING :\\né\\r👋\\\\").text());
        assertEquals("\r\n", FrameDecoder.parseLine("PING :\\r\\n").text());
        assertEquals("\\", FrameDecoder.parseLine("PING :\\\\").text());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "non-ASCII verb|PÏNG a=b|verb must be capital letters, digits or '_' (at most 32): PÏNG",
        "verb with a bidi override|P\u202eNG|verb must be capital letters, digits or '_' (at most 32): P\\u202eNG",
        "non-ASCII key|JOIN rööm=lobby|field key must be lower-case letters, digits or '-' (at most 32): rööm",
        "key with a C1 control|JOIN r\u0085m=lobby|field key must be lower-case letters, digits or '-' (at most 32): r\\u0085m",
        "non-ASCII field without =|JOIN room=a নমস্কার|field without '=': নমস্কার",
        "long field without =|JOIN éééééééééééééééééééééééééééééééééééééééééééé|field without '=': éééééééééééééééééééééééééééééééééééééééé...",
        "long non-ASCII key|JOIN éééééééééééééééééééééééééééééééééééééééééééé=1|field key must be lower-case letters, digits or '-' (at most 32): éééééééééééééééééééééééééééééééééééééééé...",
        "field without = wins over a later bad key|JOIN lobby Room=x|field without '=': lobby",
        "bad key wins over a later field without =|JOIN Room=x lobby|field key must be lower-case letters, digits or '-' (at most 32): Room",
        "duplicate wins over a later bad key|JOIN a=1 a=2 Room=x|duplicate field: a",
        "verb wins over fields|ping lobby|verb must be capital letters, digits or '_' (at most 32): ping",
        "nothing after the text is a field|JOIN a=1 :a=1 a=2 lobby|",
        "colon inside a key|JOIN a:b=1|field key must be lower-case letters, digits or '-' (at most 32): a:b",
        "key of exactly 32 is fine|JOIN abcdefghijklmnopqrstuvwxyzabcdef=1|",
        "key of 33|JOIN abcdefghijklmnopqrstuvwxyzabcdefg=1|field key must be lower-case letters, digits or '-' (at most 32): abcdefghijklmnopqrstuvwxyzabcdefg",
    })
    void errorsInNonAsciiLinesAndWhichErrorWins(String name, String line, String text) {
        if (text == null) {
            FrameDecoder.parseLine(line); // no error
            return;
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> FrameDecoder.parseLine(line));
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertEquals(text, e.getMessage());
    }

    @Test
    void theFirstBadByteWinsAndByteChecksComeBeforeUtf8AndSyntax() {
        byte[] nulAfterBadUtf8 = bytes("ping :a\u00ffxb");
        nulAfterBadUtf8[nulAfterBadUtf8.length - 2] = 0;
        nulAfterBadUtf8[7] = (byte) 0xff;
        assertEquals("NUL byte in line", parseError(nulAfterBadUtf8).getMessage());
        byte[] crThenNul = bytes("ping :ab\rx");
        crThenNul[7] = 0;
        assertEquals("NUL byte in line", parseError(crThenNul).getMessage());
        byte[] nulThenCr = bytes("ping :ab\rx");
        nulThenCr[6] = '\r';
        nulThenCr[7] = 0;
        assertEquals("CR inside a line (only CR LF ends a line)", parseError(nulThenCr).getMessage());
        byte[] badUtf8InABadVerb = bytes("pIng a");
        badUtf8InABadVerb[1] = (byte) 0xc3;
        ProtocolException e = parseError(badUtf8InABadVerb);
        assertEquals(ErrorCode.INVALID_UTF8, e.code());
        assertEquals("line is not valid UTF-8 (at byte 1)", e.getMessage());
    }

    private static ProtocolException parseError(byte[] line) {
        return assertThrows(ProtocolException.class, () -> FrameDecoder.parseLine(line, 0, line.length));
    }

    @Test
    void theProtocolsVerbsAndKeysDecodeToSharedStringsAndOtherWordsAsUsual() {
        for (String verb : List.of("ACK", "BYE", "END", "ERROR", "GAP", "HELLO", "HISTORY", "JOIN", "JOINED", "LEFT",
                "MEMBER", "MSG", "PART", "PING", "PONG", "QUIT", "ROOM", "ROOMS", "SEND", "WELCOME", "WHO")) {
            Frame f = FrameDecoder.parseLine(verb);
            assertEquals(verb, f.verb());
            assertSame(f.verb(), FrameDecoder.parseLine(verb + " :x").verb(), verb);
        }
        for (String key : List.of("after", "before", "burst", "code", "count", "from", "head", "id", "limit", "max-line",
                "max-text", "members", "more", "name", "proto", "reason", "ref", "refill-us", "resume", "room", "seq",
                "server", "since", "time", "to", "token", "with")) {
            Frame f = FrameDecoder.parseLine("X " + key + "=1");
            assertEquals(key, f.key(0));
            assertSame(f.key(0), FrameDecoder.parseLine("Y a=2 " + key + "=3").key(1), key);
        }
        // Not in the table, or almost: decoded as they are.
        for (String verb : List.of("SENDS", "SEN", "SENT", "ACKS", "A", "HISTORYX", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF")) {
            assertEquals(verb, FrameDecoder.parseLine(verb).verb());
        }
        for (String key : List.of("rooms", "roo", "rom", "refill", "max-", "x", "abcdefghijklmnopqrstuvwxyzabcdef")) {
            assertEquals(key, FrameDecoder.parseLine("PING " + key + "=v").key(0));
        }
    }

    @Test
    void parseLineRejectsAnEmptyLineAndAnEmbeddedLf() {
        assertEquals("empty line", assertThrows(ProtocolException.class, () -> FrameDecoder.parseLine("")).getMessage());
        assertEquals("empty line", assertThrows(ProtocolException.class, () -> FrameDecoder.parseLine("\r")).getMessage());
        assertEquals("LF inside a line",
                assertThrows(ProtocolException.class, () -> FrameDecoder.parseLine("PING\nPONG")).getMessage());
    }

    @Test
    void decodeAllStopsAtTheFirstError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> FrameDecoder.decodeAll(bytes("PING\nnope\n"), MAX));
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertEquals(2, FrameDecoder.decodeAll(bytes("PING\nPONG\n"), MAX).size());
    }

    @Test
    void maxLineLengthBelow64IsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(63));
        assertEquals("maxLineLength must be at least 64, was 63", e.getMessage());
    }

    @Test
    void randomBytesNeverEscapeTheSinkAndSplitsNeverChangeTheResult() {
        Random random = new Random(16384);
        byte[] alphabet = bytes("AZaz09_-=: \\\r\n\n\n\u00e9\ud83d\udc4b");
        for (int round = 0; round < 500; round++) {
            byte[] input = new byte[random.nextInt(400)];
            for (int i = 0; i < input.length; i++) {
                input[i] = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            List<String> atOnce = decodeAtOnce(input, MAX).events;
            RecordingSink split = new RecordingSink();
            FrameDecoder decoder = new FrameDecoder(MAX);
            int i = 0;
            while (i < input.length) {
                int n = Math.min(input.length - i, 1 + random.nextInt(20));
                decoder.decode(input, i, n, split);
                assertTrue(decoder.buffered() <= MAX + 1);
                i += n;
            }
            assertEquals(atOnce, split.events, "round " + round);
            for (Frame f : split.frames) {
                assertEquals(f, FrameDecoder.parseLine(f.toString()), "canonical line decodes to the same frame");
            }
        }
    }

    static byte[] hex(String hex) {
        String[] parts = hex.trim().split("\\s+");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
