package dev.parley.chat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Issue 16: the server program's --users file, its password hashes and hash-password, end to end. */
@Timeout(120)
class UsersFileTest {
    private static final Logger log = LoggerFactory.getLogger(UsersFileTest.class);
    /** Cheap hashes for the tests (the format carries the count; real files use 600000). */
    private static final int TEST_ITERATIONS = 1_000;

    @TempDir
    Path dir;

    private static String hash(String password) {
        return PasswordHash.create(password.toCharArray(), TEST_ITERATIONS, new SecureRandom()).encoded();
    }

    private static List<String> rooms(LineClient c, String ref) throws IOException {
        c.send("ROOMS ref=" + ref);
        List<String> names = new ArrayList<>();
        for (String line = c.readUntil("ROOM"); ; line = c.readUntil("")) {
            if (line.startsWith("END")) {
                return names;
            }
            if (line.startsWith("ROOM ")) {
                names.add(line.replaceAll(".* name=(\\S+).*", "$1"));
            }
        }
    }

    @Test
    void theExampleServerWithUsersChecksPasswordsAndKeepsClaimedRoomsToTheirUsers() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, """
                # name  hash                       rooms
                Alice   %s   staff,board
                bob     %s
                carol   %s   board
                """.formatted(hash("alice-pw"), hash("bob-pw"), hash("carol-pw")));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        String[] args = {"--host", "127.0.0.1", "--port", "0", "--no-web", "--memory", "--users", users.toString()};
        try (ServerMain.Running running = ServerMain.start(args, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            int port = running.server().port();
            try (LineClient wrong = new LineClient(new Socket("127.0.0.1", port));
                    LineClient unknown = new LineClient(new Socket("127.0.0.1", port));
                    LineClient none = new LineClient(new Socket("127.0.0.1", port))) {
                wrong.send("HELLO proto=1 name=bob token=alice-pw");
                String refused = wrong.readUntil("ERROR");
                assertTrue(refused.contains("code=AUTH_FAILED") && refused.endsWith(":wrong name or password"), refused);
                unknown.send("HELLO proto=1 name=mallory token=bob-pw");
                assertEquals(refused, unknown.readUntil("ERROR"), "an unknown name gets the same answer");
                none.send("HELLO proto=1 name=bob");
                assertTrue(none.readUntil("ERROR").contains("code=AUTH_FAILED"));
            }
            try (LineClient alice = new LineClient(new Socket("127.0.0.1", port));
                    LineClient bob = new LineClient(new Socket("127.0.0.1", port));
                    LineClient carol = new LineClient(new Socket("127.0.0.1", port))) {
                alice.send("HELLO proto=1 name=ALICE token=alice-pw");
                assertTrue(alice.readUntil("WELCOME").contains(" name=Alice "), "the file's form of the name");
                bob.send("HELLO proto=1 name=Bob token=bob-pw");
                bob.readUntil("WELCOME");
                carol.send("HELLO proto=1 name=carol token=carol-pw");
                carol.readUntil("WELCOME");

                alice.send("JOIN room=staff ref=1");
                alice.readUntil("JOINED");
                alice.send("SEND room=staff ref=2 :staff only");
                alice.readUntil("ACK");
                alice.send("JOIN room=lobby ref=3");
                alice.readUntil("JOINED");

                // bob's line names no rooms: public rooms only
                for (String request : List.of("JOIN room=staff", "HISTORY room=staff", "SEND room=staff :hi",
                        "WHO room=staff", "WHO room=board")) {
                    bob.send(request.replaceFirst("( :|$)", " ref=b$1"));
                    String answer = bob.readUntil("ERROR");
                    assertTrue(answer.contains("code=FORBIDDEN") && answer.contains("ref=b"), request + " -> " + answer);
                }
                assertEquals(List.of("lobby"), rooms(bob, "r1"));
                bob.send("JOIN room=lobby ref=4");
                bob.readUntil("JOINED");

                // carol: board (hers and Alice's) but not staff
                carol.send("JOIN room=board ref=5");
                carol.readUntil("JOINED");
                carol.send("JOIN room=staff ref=6");
                assertTrue(carol.readUntil("ERROR").contains("code=FORBIDDEN"));
                assertEquals(List.of("board", "lobby"), rooms(carol, "r2"));
                assertEquals(List.of("board", "lobby", "staff"), rooms(alice, "r3"));
            }
        }
    }

    @Test
    void theFileIsCheckedLineByLine() {
        String h = hash("pw");
        assertEquals(2, UsersFile.parse(List.of("# comment", "", "  a " + h + "  ", "b\t" + h + "\tx,Y"), "f").size());
        assertEquals(java.util.Set.of("x", "y"), UsersFile.parse(List.of("b " + h + " x,Y"), "f").claimedRooms());
        for (String bad : List.of("a", "a " + h + " r extra", "a nothash", "a pbkdf2-sha256$10$AAAAAAAAAAA=$AAAA",
                "bad/name " + h, "a " + h + " bad room", "a " + h + " ok,,x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UsersFile.parse(List.of(bad), "f"), bad);
            assertTrue(e.getMessage().startsWith("f line 1: "), e.getMessage());
        }
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> UsersFile.parse(List.of("ann " + h, "ANN " + h), "f"));
        assertTrue(twice.getMessage().contains("line 2") && twice.getMessage().contains("twice"), twice.getMessage());
        assertTrue(ServerOptions.usage().contains("parley hash-password [NAME]"), "--help tells how to make a line");
        assertEquals(2, ServerOptions.parse(new String[] {"--users", dir.resolve("missing").toString()}, java.util.Map.of())
                instanceof ServerOptions.Exit exit ? exit.status() : 0);
    }

    @Test
    void aHashRoundTripsAndOnlyItsPasswordMatches() {
        PasswordHash h = PasswordHash.create("s3cret".toCharArray(), TEST_ITERATIONS, new SecureRandom());
        PasswordHash parsed = PasswordHash.parse(h.encoded());
        assertEquals(h, parsed);
        assertTrue(parsed.matches("s3cret".toCharArray()));
        assertFalse(parsed.matches("s3cret!".toCharArray()));
        assertFalse(parsed.toString().contains(h.encoded().substring(h.encoded().lastIndexOf('$') + 1)), "no hash in logs");
    }

    @Test
    void hashPasswordPrintsAUsersFileLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = HashPassword.run(new String[] {"--iterations", "1000", "ritam"}, null,
                new ByteArrayInputStream("open-sesame\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        String line = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.matches("ritam pbkdf2-sha256\\$1000\\$\\S+\\$\\S+"), line);
        UsersFile file = UsersFile.parse(List.of(line), "printed");
        assertEquals(1, file.size());
        assertEquals(2, HashPassword.run(new String[] {"a b"}, null, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out), new PrintStream(err)));
        assertEquals(2, HashPassword.run(new String[0], null,
                new ByteArrayInputStream("has space\n".getBytes(StandardCharsets.UTF_8)), new PrintStream(out), new PrintStream(err)));
    }

    /** The figure in docs/access.md: what one check costs at the default 600,000 iterations. */
    @Test
    void measureTheDefaultVerifyTime() {
        PasswordHash h = PasswordHash.create("pw".toCharArray(), PasswordHash.DEFAULT_ITERATIONS, new SecureRandom());
        long[] ms = new long[3];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            assertTrue(h.matches("pw".toCharArray()));
            ms[i] = (System.nanoTime() - start) / 1_000_000;
        }
        log.info("PBKDF2-HMAC-SHA256 verify at {} iterations: {} ms, {} ms, {} ms ({} CPUs)", PasswordHash.DEFAULT_ITERATIONS,
                ms[0], ms[1], ms[2], Runtime.getRuntime().availableProcessors());
    }
}
