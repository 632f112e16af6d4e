package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every block of the published {@code test-vectors.txt} (format documented at its top and in
 * PROTOCOL.md) through the decoder, at once and one byte at a time, the encoder, the typed messages and
 * {@link Names}.
 */
@Timeout(30)
class TestVectorsTest {
    static final String RESOURCE = "/dev/parley/chat/protocol/test-vectors.txt";

    /** One block: its lines as key and raw value, in file order. */
    record Vector(String name, int lineNumber, List<Map.Entry<String, String>> entries) {
        String get(String key) {
            for (Map.Entry<String, String> e : entries) {
                if (e.getKey().equals(key)) {
                    return e.getValue();
                }
            }
            return null;
        }

        List<String> all(String key) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, String> e : entries) {
                if (e.getKey().equals(key)) {
                    out.add(e.getValue());
                }
            }
            return out;
        }
    }

    static List<Vector> load() throws IOException {
        String file;
        try (InputStream in = TestVectorsTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is not on the class path");
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Vector> vectors = new ArrayList<>();
        List<Map.Entry<String, String>> entries = null;
        String name = null;
        int start = 0;
        String[] lines = file.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isEmpty()) {
                if (entries != null) {
                    vectors.add(new Vector(name, start, entries));
                    entries = null;
                }
                continue;
            }
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "line " + (i + 1) + " has no key: " + line);
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (key.equals("vector")) {
                assertEquals(null, entries, "line " + (i + 1) + ": a blank line must end the previous block");
                entries = new ArrayList<>();
                name = value;
                start = i + 1;
            } else {
                assertNotNull(entries, "line " + (i + 1) + " is outside a block");
                entries.add(Map.entry(key, value));
            }
        }
        if (entries != null) {
            vectors.add(new Vector(name, start, entries));
        }
        return vectors;
    }

    /** Resolves {@code \xNN} escapes; every other character stands for its UTF-8 bytes. */
    static byte[] bytes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("\\x", i) && i + 4 <= s.length() && isHex(s.charAt(i + 2)) && isHex(s.charAt(i + 3))) {
                out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 4;
            } else {
                int cp = s.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        return out.toByteArray();
    }

    static String string(String s) {
        return new String(bytes(s), StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    @TestFactory
    Stream<DynamicTest> everyVector() throws IOException {
        return load().stream().map(v -> DynamicTest.dynamicTest(v.lineNumber() + ": " + v.name(), () -> run(v)));
    }

    @Test
    void theFileCoversEveryRule() throws IOException {
        List<Vector> vectors = load();
        assertTrue(vectors.size() >= 60, "only " + vectors.size() + " vectors");
        Set<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
        for (Vector v : vectors) {
            for (String key : List.of("error", "request", "reply")) {
                String r = v.get(key);
                if (r != null && !r.equals("ok")) {
                    seen.add(ErrorCode.valueOf(r.substring(0, r.indexOf(' '))));
                }
            }
        }
        assertEquals(EnumSet.of(ErrorCode.BAD_FRAME, ErrorCode.LINE_TOO_LONG, ErrorCode.INVALID_UTF8,
                ErrorCode.UNKNOWN_COMMAND, ErrorCode.MISSING_FIELD, ErrorCode.BAD_VALUE, ErrorCode.INVALID_NAME), seen);
    }

    private static void run(Vector v) {
        if (v.get("user") != null) {
            runName(v, string(v.get("user")), true);
        } else if (v.get("room") != null) {
            runName(v, string(v.get("room")), false);
        } else {
            runLine(v);
        }
    }

    private static void runName(Vector v, String name, boolean user) {
        String canonical = v.get("canonical");
        if (canonical != null) {
            assertEquals(string(canonical), user ? Names.canonicalUser(name) : Names.canonicalRoom(name));
            assertTrue(user ? Names.isValidUser(name) : Names.isValidRoom(name));
        } else {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> { if (user) { Names.canonicalUser(name); } else { Names.canonicalRoom(name); } });
            assertEquals(v.get("error"), e.code() + " " + e.getMessage());
        }
    }

    private static void runLine(Vector v) {
        int max = v.get("max-line") == null ? 16384 : Integer.parseInt(v.get("max-line"));
        byte[] line = bytes(v.get("line"));
        byte[] input = new byte[line.length + 1];
        System.arraycopy(line, 0, input, 0, line.length);
        input[line.length] = '\n';

        RecordingSink atOnce = new RecordingSink();
        new FrameDecoder(max).decode(input, 0, input.length, atOnce);
        RecordingSink byteByByte = new RecordingSink();
        FrameDecoder decoder = new FrameDecoder(max);
        for (int i = 0; i < input.length; i++) {
            decoder.decode(input, i, 1, byteByByte);
        }
        assertEquals(atOnce.events, byteByByte.events, "split input changed the result");

        if (v.get("ignored") != null) {
            assertEquals(List.of(), atOnce.events);
        } else if (v.get("error") != null) {
            assertEquals(List.of(string(v.get("error"))), atOnce.events);
        } else if (v.get("verb") != null) {
            assertEquals(1, atOnce.frames.size(), () -> "expected one frame, got " + atOnce.events);
            Frame frame = atOnce.frames.get(0);
            assertEquals(v.get("verb"), frame.verb());
            List<String> fields = new ArrayList<>();
            for (int i = 0; i < frame.fieldCount(); i++) {
                fields.add(frame.key(i) + "=" + frame.value(i));
            }
            assertEquals(v.all("field").stream().map(TestVectorsTest::string).toList(), fields);
            String text = v.get("text");
            assertEquals(text == null ? null : string(text), frame.text());
            String encoded = v.get("encoded");
            assertNotNull(encoded, "a frame vector needs encoded:");
            byte[] expected = bytes(encoded + "\\x0A");
            assertArrayEquals(expected, FrameEncoder.encode(frame),
                    () -> "encoded as " + new String(FrameEncoder.encode(frame), StandardCharsets.UTF_8));
            typed(v.get("request"), () -> ClientMessage.parse(frame).toFrame(), frame);
            typed(v.get("reply"), () -> ServerMessage.parse(frame).toFrame(), frame);
            if ("ok".equals(v.get("reply"))) { // the straight encoding of MSG and ACK gives the same bytes
                ServerMessage m = ServerMessage.parse(frame);
                assertArrayEquals(FrameEncoder.encode(m.toFrame()), m.encode(), m::toString);
            }
        } else {
            fail("vector has no expectation");
        }
    }

    private static void typed(String expected, java.util.function.Supplier<Frame> parse, Frame frame) {
        if (expected == null) {
            return;
        }
        if (expected.equals("ok")) {
            Frame again = parse.get();
            assertEquals(frame.verb(), again.verb());
            return;
        }
        ProtocolException e = assertThrows(ProtocolException.class, parse::get);
        assertEquals(expected, e.code() + " " + e.getMessage());
        String ref = frame.field("ref");
        boolean refIsBad = e.getMessage().startsWith("bad ref=");
        assertEquals(refIsBad ? null : ref, e.ref(), "the error must echo the frame's ref");
    }
}
