package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's one-command chat: the first person's command starts the server on H2 and joins it;
 * the second person's same command only joins; the server stops with the terminal that hosts it.
 */
@Timeout(90)
class ChatMainTest {
    @TempDir
    Path dir;

    private String[] chat(int port, String name) {
        return new String[] {"--port", Integer.toString(port), "--data", dir.resolve("data").toString(),
                "--name", name, "--state", dir.resolve("state-" + name).toString()};
    }

    @Test
    void theFirstCommandHostsTheServerAndTheSecondJoinsIt() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (CliDriver souvik = new CliDriver("souvik", ChatMain::run, chat(port, "Souvik"))) {
            souvik.expect("listening on 0.0.0.0:" + port);
            souvik.expect("Started a chat server on port " + port);
            souvik.expect("as Souvik");
            souvik.expect("You joined lobby");   // before Ritam comes, so that Souvik is told of him
            assertTrue(ChatMain.listening(port));

            try (CliDriver ritam = new CliDriver("ritam", ChatMain::run, chat(port, "Ritam"))) {
                ritam.expect("as Ritam");
                assertTrue(ritam.seen().stream().noneMatch(l -> l.contains("Started a chat server")),
                        "the second command must join the running server, not start one: " + ritam.seen());
                souvik.expect("Ritam has joined");
                ritam.type("hello from the second terminal");
                souvik.expect("Ritam: hello from the second terminal");
                ritam.type("/quit");
                assertEquals(0, ritam.exitStatus());
                souvik.expect("Ritam has left");
            }
            souvik.type("/quit");
            assertEquals(0, souvik.exitStatus());
        }
        assertFalse(ChatMain.listening(port), "the hosting terminal stops its server when it quits");
    }

    @Test
    void badOptionsPrintUsage() throws Exception {
        try (CliDriver c = new CliDriver("bad", ChatMain::run, "--port", "0")) {
            c.expect("--port must be 1 to 65535");
            c.expect("usage: chat");
            assertEquals(2, c.exitStatus());
        }
    }
}
