package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks {@link LineParser#parse(byte[], int, int)} against the algorithm it had until December 2026
 * ({@link Old}: the whole line made a string first, then cut into pieces), over random lines made of
 * the grammar's pieces, multi-byte characters, escapes and bad bytes. Both must give equal frames, or
 * exceptions with the same code and message.
 */
@Timeout(60)
class FrameDecoderOracleTest {
    private static final String[] VERBS = {"SEND", "MSG", "PING", "JOIN", "A", "A_1", "ping", "PÏNG", "1X", "",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG", "SEND:x", "S\u202eND"};
    private static final String[] KEYS = {"room", "ref", "seq", "a", "a-1", "x9", "Room", "rööm", "", "max_line",
        "abcdefghijklmnopqrstuvwxyzabcdef", "abcdefghijklmnopqrstuvwxyzabcdefg", "k\u2028", "é"};
    private static final String[] PIECES = {"lobby", "", "=", "==", ":", "é", "নমস্কার", "👋", "\\", "\\\\", "\\n", "\\r",
        "\\t", "\\é", "a", "Z", "0", "-", "_", "\u0085", "\u202e", "\u00a0", "C:\\temp", "x=y", " ", "  "};

    @Test
    void theNewParseAgreesWithTheOldOneOnRandomLines() {
        Random random = new Random(20261206L);
        Map<String, Integer> seen = new TreeMap<>();
        for (int round = 0; round < 200_000; round++) {
            byte[] line = randomLine(random);
            seen.merge(kind(check(line, random, "round " + round)), 1, Integer::sum);
        }
        // The lines reach every outcome, many times.
        List<String> kinds = new ArrayList<>(List.of("frame", "frame with fields", "frame with text", "frame with non-ASCII"));
        kinds.addAll(ERRORS);
        for (String kind : kinds) {
            assertTrue(seen.getOrDefault(kind, 0) >= 100, () -> kind + " too rare: " + seen);
        }
    }

    @Test
    void theNewParseAgreesWithTheOldOneOnRandomBytes() {
        Random random = new Random(614L);
        byte[] alphabet = "AZaz09_-=: \\nr\u00e9\ud83d\udc4b".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 200_000; round++) {
            byte[] line = new byte[1 + random.nextInt(60)];
            for (int i = 0; i < line.length; i++) {
                line[i] = random.nextInt(16) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            check(line, random, "round " + round);
        }
    }

    private static final List<String> ERRORS = List.of("BAD_FRAME NUL byte", "BAD_FRAME CR inside", "BAD_FRAME LF inside",
            "INVALID_UTF8", "BAD_FRAME verb must", "BAD_FRAME field without", "BAD_FRAME field key", "BAD_FRAME duplicate field");

    /** What kind of outcome: a frame (by what it has) or an error (by the start of its message). */
    private static String kind(Object outcome) {
        if (outcome instanceof Frame f) {
            if (!f.toString().chars().allMatch(c -> c < 0x80)) {
                return "frame with non-ASCII";
            }
            return f.text() != null ? "frame with text" : f.fieldCount() > 0 ? "frame with fields" : "frame";
        }
        for (String error : ERRORS) {
            if (outcome.toString().startsWith(error)) {
                return error;
            }
        }
        return outcome.toString();
    }

    @Test
    void verbAndKeyChecksOnBytesAgreeWithTheChecksOnStrings() {
        Random random = new Random(32L);
        String grammar = "AZaz09_-";
        String[] others = {"=", ":", " ", "é", "👋", "\u0085", "@", "[", "`", "{", "/"};
        int verbs = 0;
        int keys = 0;
        for (int round = 0; round < 100_000; round++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(36);
            for (int i = 0; i < length; i++) {
                if (random.nextInt(40) == 0) {
                    sb.append(others[random.nextInt(others.length)]);
                } else {
                    sb.append(grammar.charAt(random.nextInt(grammar.length())));
                }
            }
            String s = switch (random.nextInt(3)) {
                case 0 -> sb.toString().toUpperCase(java.util.Locale.ROOT);
                case 1 -> sb.toString().toLowerCase(java.util.Locale.ROOT);
                default -> sb.toString();
            };
            byte[] b = ("x" + s + "y").getBytes(StandardCharsets.UTF_8);
            assertEquals(Syntax.isVerb(s), Syntax.isVerb(b, 1, b.length - 1), s);
            assertEquals(Syntax.isKey(s), Syntax.isKey(b, 1, b.length - 1), s);
            verbs += Syntax.isVerb(s) ? 1 : 0;
            keys += Syntax.isKey(s) ? 1 : 0;
        }
        assertTrue(verbs > 1000 && keys > 1000, verbs + " verbs, " + keys + " keys");
    }

    /** Both parsers on the line, placed at a random offset in a larger array with junk around it. */
    private static Object check(byte[] line, Random random, String what) {
        int before = random.nextInt(4);
        byte[] padded = new byte[before + line.length + random.nextInt(4)];
        for (int i = 0; i < padded.length; i++) {
            padded[i] = (byte) random.nextInt(256);
        }
        System.arraycopy(line, 0, padded, before, line.length);
        Object expected = outcome(() -> Old.parse(padded, before, line.length));
        Object actual = outcome(() -> LineParser.parse(padded, before, line.length));
        assertEquals(expected, actual, () -> what + ": " + hexOf(line));
        return actual;
    }

    private static Object outcome(java.util.function.Supplier<Frame> parse) {
        try {
            return parse.get();
        } catch (ProtocolException e) {
            return e.code() + " " + e.getMessage() + " ref=" + e.ref();
        }
    }

    /** A line from the grammar's pieces, right or wrong: a verb, fields, spaces, maybe text, maybe a bad byte. */
    private static byte[] randomLine(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, pick(random, VERBS, random.nextInt(4) == 0));
        int fields = random.nextInt(6);
        for (int f = 0; f < fields; f++) {
            write(out, " ".repeat(random.nextInt(8) == 0 ? 2 : 1));
            if (random.nextInt(12) != 0) {
                write(out, pick(random, KEYS, random.nextInt(5) == 0));
            }
            if (random.nextInt(12) != 0) {
                write(out, "=");
            }
            int pieces = random.nextInt(4);
            for (int p = 0; p < pieces; p++) {
                String piece = PIECES[random.nextInt(PIECES.length)];
                write(out, random.nextInt(3) == 0 ? piece : piece.replace(" ", ""));
            }
        }
        if (random.nextBoolean()) {
            write(out, random.nextInt(6) == 0 ? ":" : " :");
            int pieces = random.nextInt(8);
            for (int p = 0; p < pieces; p++) {
                write(out, PIECES[random.nextInt(PIECES.length)]);
            }
        }
        if (random.nextInt(6) == 0) {
            write(out, " ");
        }
        byte[] line = out.toByteArray();
        if (line.length > 0 && random.nextInt(10) == 0) {
            // a bad byte somewhere: NUL, CR, LF, or one that breaks UTF-8
            byte[] bad = {0, '\r', '\n', (byte) 0x80, (byte) 0xc3, (byte) 0xff, (byte) 0xed, (byte) 0xf4};
            line[random.nextInt(line.length)] = bad[random.nextInt(bad.length)];
        }
        return line.length == 0 ? new byte[] {'X'} : line;
    }

    private static String pick(Random random, String[] choices, boolean mangle) {
        String s = choices[random.nextInt(choices.length)];
        if (mangle && !s.isEmpty()) {
            int at = random.nextInt(s.length());
            s = s.substring(0, at) + PIECES[random.nextInt(PIECES.length)] + s.substring(at);
        }
        return s;
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String hexOf(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x ", x & 0xff));
        }
        return sb.toString().trim();
    }

    /** The decoder's parse as it was until December 2026, kept verbatim as the oracle. */
    static final class Old {
        private Old() {
        }

        static Frame parse(byte[] b, int off, int length) {
            boolean ascii = true;
            for (int i = off, end = off + length; i < end; i++) {
                byte c = b[i];
                if (c == 0) {
                    throw new ProtocolException(ErrorCode.BAD_FRAME, "NUL byte in line");
                }
                if (c == '\r') {
                    throw new ProtocolException(ErrorCode.BAD_FRAME, "CR inside a line (only CR LF ends a line)");
                }
                if (c == '\n') {
                    throw new ProtocolException(ErrorCode.BAD_FRAME, "LF inside a line");
                }
                if (c < 0) {
                    ascii = false;
                }
            }
            String s;
            if (ascii) {
                s = new String(b, off, length, StandardCharsets.ISO_8859_1);
            } else {
                int bad = LineParser.invalidUtf8At(b, off, length);
                if (bad >= 0) {
                    throw new ProtocolException(ErrorCode.INVALID_UTF8, "line is not valid UTF-8 (at byte " + bad + ")");
                }
                s = new String(b, off, length, StandardCharsets.UTF_8);
            }
            return parse(s);
        }

        private static Frame parse(String s) {
            int n = s.length();
            int sp = s.indexOf(' ');
            String verb = sp < 0 ? s : s.substring(0, sp);
            if (!Syntax.isVerb(verb)) {
                throw new ProtocolException(ErrorCode.BAD_FRAME,
                        "verb must be capital letters, digits or '_' (at most 32): " + Escaping.forLog(verb, 40));
            }
            if (sp < 0) {
                return Frame.trusted(verb, new String[0], null);
            }
            List<String> fields = new ArrayList<>(8);
            String text = null;
            int i = sp;
            while (i < n) {
                if (s.charAt(i) == ' ') {
                    i++;
                    continue;
                }
                if (s.charAt(i) == ':') {
                    text = unescape(s, i + 1, n);
                    break;
                }
                int end = s.indexOf(' ', i);
                if (end < 0) {
                    end = n;
                }
                int eq = s.indexOf('=', i);
                if (eq < 0 || eq >= end) {
                    throw new ProtocolException(ErrorCode.BAD_FRAME,
                            "field without '=': " + Escaping.forLog(s.substring(i, end), 40));
                }
                String key = s.substring(i, eq);
                if (!Syntax.isKey(key)) {
                    throw new ProtocolException(ErrorCode.BAD_FRAME,
                            "field key must be lower-case letters, digits or '-' (at most 32): " + Escaping.forLog(key, 40));
                }
                for (int k = 0; k < fields.size(); k += 2) {
                    if (fields.get(k).equals(key)) {
                        throw new ProtocolException(ErrorCode.BAD_FRAME, "duplicate field: " + key);
                    }
                }
                fields.add(key);
                fields.add(s.substring(eq + 1, end));
                i = end;
            }
            return Frame.trusted(verb, fields.toArray(new String[0]), text);
        }

        /** Escaping.unescape(String, int, int) as it was. */
        static String unescape(String s, int from, int to) {
            int bs = s.indexOf('\\', from);
            if (bs < 0 || bs >= to) {
                return s.substring(from, to);
            }
            StringBuilder out = new StringBuilder(to - from);
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < to) {
                    char e = s.charAt(i + 1);
                    if (e == '\\') {
                        out.append('\\');
                        i++;
                        continue;
                    } else if (e == 'n') {
                        out.append('\n');
                        i++;
                        continue;
                    } else if (e == 'r') {
                        out.append('\r');
                        i++;
                        continue;
                    }
                }
                out.append(c);
            }
            return out.toString();
        }
    }
}
