package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.app.ServerMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The story of the README, told through the terminal client's standard input and output: two people
 * chat, one leaves, the server restarts, the one who left comes back and sees what was said.
 */
@Timeout(90)
class ClientMainTest {
    @TempDir
    Path dir;

    private ServerMain.Running startServer(int port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServerMain.Running running = ServerMain.start(new String[] {"--port", Integer.toString(port), "--web-port", "0",
                "--host", "127.0.0.1", "--data", dir.resolve("data").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals("listening on 127.0.0.1:" + running.server().port() + "\n", out.toString(StandardCharsets.UTF_8)
                .lines().findFirst().orElse("") + "\n");
        return running;
    }

    private String[] client(int port, String... more) {
        return clientWithState("state", port, more);
    }

    /** Another person's client: a state folder of its own (a resume token is kept there per name). */
    private String[] clientWithState(String state, int port, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
                "--state", dir.resolve(state).toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void twoPeopleChatOneLeavesTheServerRestartsAndTheOtherCatchesUp() throws Exception {
        ServerMain.Running server = startServer(0);
        int port = server.server().port();
        try (CliDriver souvik = new CliDriver("souvik", client(port))) {
            // Souvik gives his name when asked; the first try is not a valid name.
            souvik.type("Souvik!");
            souvik.expect("That name cannot be used");
            souvik.type("Souvik");
            souvik.expect("Connected to 127.0.0.1:" + port + " as Souvik");
            souvik.expect("You joined lobby");
            souvik.expect("In lobby: Souvik");
            CliDriver ritam = new CliDriver("ritam", clientWithState("ritam-state", port, "--name", "SOUVIK"));

            // Ritam first tries a name that collides with Souvik's, and is asked again.
            ritam.expect("The name SOUVIK is taken");
            ritam.type("Ritam");
            ritam.expect("as Ritam");
            ritam.expect("In lobby: Ritam, Souvik");
            souvik.expect("Ritam has joined");

            souvik.type("hello Ritam");
            assertTrue(souvik.expect("Souvik: hello Ritam").matches("\\d\\d:\\d\\d Souvik: hello Ritam"));
            ritam.expect("Souvik: hello Ritam");
            ritam.type("hi Souvik, how are you?");
            souvik.expect("Ritam: hi Souvik, how are you?");
            ritam.type("/who");
            ritam.expect("In lobby: Ritam, Souvik");
            ritam.type("/msg Souvik see you later");
            souvik.expect("*Ritam* (private): see you later");
            ritam.expect("-> Souvik: see you later");
            ritam.type("/nonsense");
            ritam.expect("Unknown command /nonsense");

            ritam.type("/quit");
            ritam.expect("Bye.");
            assertEquals(0, ritam.exitStatus());
            souvik.expect("Ritam has left");
            // Ritam's resume token is kept for his next run, readable by him alone
            Path tokenFile = dir.resolve("ritam-state").resolve("ritam@127.0.0.1_" + port + ".resume");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = Files.readString(tokenFile);
            assertTrue(token.startsWith("1."), token);

            // The server restarts on the same port with the same database; Souvik's client reconnects.
            server.close();
            souvik.expect("Connection lost (shutdown). Reconnecting...");
            // Typed while the server is down: said so, and sent once it is back.
            souvik.type("typed while you were away");
            souvik.expect("! not connected: your message will be sent when the server is back (if within 60 s) (typed while you were away)");
            server = startServer(port);
            souvik.expect("Reconnected.");
            souvik.expect("Souvik: typed while you were away");
            souvik.type("are you still there, Ritam?");
            souvik.expect("Souvik: are you still there, Ritam?");
            souvik.type("/history 2");
            souvik.expect("the last 2 messages of lobby");
            souvik.expect("Souvik: typed while you were away");
            souvik.expect("Souvik: are you still there, Ritam?");
            souvik.expect("end of history");

            // Ritam comes back: the earlier conversation, then what he missed.
            try (CliDriver again = new CliDriver("ritam-again", clientWithState("ritam-state", port, "--name", "Ritam"))) {
                again.expect("Welcome back to lobby.");
                again.expect("Souvik: hello Ritam");
                again.expect("Ritam: hi Souvik, how are you?");
                again.expect("--- new since you left ---");
                again.expect("Souvik: typed while you were away");
                again.expect("Souvik: are you still there, Ritam?");
                again.expect("In lobby: Ritam, Souvik");
                souvik.expect("Ritam has joined");
                again.type("yes, back now");
                souvik.expect("Ritam: yes, back now");
                again.endOfInput(); // Ctrl-D
                again.expect("Bye.");
                assertEquals(0, again.exitStatus());
                souvik.expect("Ritam has left");
            }
            assertEquals(token, Files.readString(tokenFile), "the server took the token back: the same identity");
            souvik.endOfInput();
            assertEquals(0, souvik.exitStatus());
            assertFalse(souvik.seen().stream().skip(1).anyMatch(l -> l.startsWith("!") && !l.startsWith("! not connected")),
                    "no errors: " + souvik.seen());
        } finally {
            server.close();
        }
    }

    /** Issue 16: against a server with a users file, the client asks for the password, or takes --password. */
    @Test
    void aPasswordIsAskedForWhenTheServerWantsOne() throws Exception {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] hash = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new javax.crypto.spec.PBEKeySpec("ann-pw".toCharArray(), salt, 1000, 256)).getEncoded();
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        Path users = dir.resolve("users");
        java.nio.file.Files.writeString(users, "ann pbkdf2-sha256$1000$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(hash) + " staff\n");
        ServerMain.Running server = ServerMain.start(new String[] {"--port", "0", "--no-web", "--host", "127.0.0.1",
                "--memory", "--users", users.toString()}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        int port = server.server().port();
        try (server; CliDriver ann = new CliDriver("ann", client(port, "--name", "ann", "--room", "staff"))) {
            ann.type("wrong"); // answers the password prompt, which ends no line
            ann.expect("wrong name or password");
            ann.type("ann-pw");
            ann.expect("Connected to 127.0.0.1:" + port + " as ann");
            ann.expect("You joined staff");
            try (CliDriver again = new CliDriver("ann2", client(port, "--name", "ann", "--password", "ann-pw", "--room", "lobby"))) {
                again.expect("as ann");
            }
        }
    }

    @Test
    void anUnreachableServerIsReportedWithAHint() throws Exception {
        ServerMain.Running server = startServer(0);
        int port = server.server().port();
        server.close();
        try (CliDriver cli = new CliDriver("nobody", client(port, "--name", "Souvik"))) {
            cli.expect("cannot reach the chat server at 127.0.0.1:" + port);
            cli.expect("Is the server running?");
            assertEquals(1, cli.exitStatus());
        }
    }

    @Test
    void helpAndBadOptions() throws Exception {
        try (CliDriver cli = new CliDriver("help", "--help")) {
            cli.expect("Usage: ClientMain");
            assertEquals(0, cli.exitStatus());
        }
        try (CliDriver cli = new CliDriver("bad", "--port", "seventy")) {
            cli.expect("--port must be a number");
            assertEquals(2, cli.exitStatus());
        }
    }
}
