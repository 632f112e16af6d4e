package dev.parley.chat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server program started in this JVM, as ChatMain and the examples' tests start it. */
@Timeout(60)
class ServerMainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    private int printedPort(String what) {
        Matcher m = Pattern.compile(what + ".*?:(\\d+)").matcher(printed());
        assertTrue(m.find(), printed());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aConfigFileSetsTlsOnBothPortsAndTheLimits() throws Exception {
        Path keystore = TestKeystore.create(dir);
        Path config = dir.resolve("parley.properties");
        Files.writeString(config, """
                # the server of the README's TLS example
                host = 127.0.0.1
                port = 0
                web-port = 0
                memory = true
                tls-keystore = %s
                tls-keystore-password = %s
                max-connections = 1
                max-text-length = 10
                max-line-length = 2KiB
                ping-interval = 2m
                """.formatted(keystore.toString().replace("\\", "\\\\"), TestKeystore.PASSWORD));
        SSLContext client = TestKeystore.trusting(keystore);
        try (ServerMain.Running running = ServerMain.start(new String[] {"--config", config.toString()}, out)) {
            int port = running.server().port();
            assertTrue(printed().startsWith("listening on 127.0.0.1:" + port + " (TLS)\n"), printed());
            int webPort = printedPort("page at https://127.0.0.1");

            try (LineClient souvik = new LineClient(client.getSocketFactory().createSocket("127.0.0.1", port))) {
                souvik.send("HELLO proto=1 name=Souvik");
                String welcome = souvik.readUntil("WELCOME");
                assertTrue(welcome.contains(" max-text=10") && welcome.contains(" max-line=2048"), welcome);
                assertEquals("TLSv1.3", ((SSLSocket) souvik.socket()).getSession().getProtocol());

                // max-connections = 1: a second person is told the server is full.
                try (LineClient ritam = new LineClient(client.getSocketFactory().createSocket("127.0.0.1", port))) {
                    assertTrue(ritam.readUntil("ERROR").contains("code=SERVER_FULL"));
                }
                souvik.send("JOIN room=lobby");
                souvik.readUntil("JOINED");
                souvik.send("SEND room=lobby ref=1 :more than ten bytes");
                assertTrue(souvik.readUntil("ERROR").contains("code=TEXT_TOO_LONG"));
            }

            // Plain text on the TLS port gets nowhere.
            try (LineClient plain = new LineClient(new Socket("127.0.0.1", port))) {
                plain.send("HELLO proto=1 name=Mallory");
                assertThrows(IOException.class, () -> {
                    String line = plain.read();
                    if (line == null || !line.startsWith("WELCOME")) {
                        throw new IOException("no WELCOME: " + line);
                    }
                });
            }

            // The web port is https: the page and the health check.
            assertEquals("HTTP/1.1 200 OK", httpGet(client, webPort, "/healthz").lines().findFirst().orElse(""));
            assertTrue(httpGet(client, webPort, "/").contains("<title>Parley</title>"));
        }
    }

    private static String httpGet(SSLContext tls, int port, String path) throws IOException {
        try (Socket s = tls == null ? new Socket("127.0.0.1", port) : tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void healthzAnswersOkOnTheWebPortWhileTheServerRuns() throws Exception {
        try (ServerMain.Running running = ServerMain.start(new String[] {"--port", "0", "--host", "127.0.0.1", "--memory"}, out)) {
            int webPort = printedPort("page at http://127.0.0.1");
            String answer = httpGet(null, webPort, "/healthz");
            assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n") && answer.endsWith("\r\n\r\nok\n"), answer);
            assertTrue(running.healthy());
            running.close();
            assertTrue(!running.healthy());
        }
    }

    @Test
    void theResumeSecretIsKeptInTheDataFolderSoTokensSurviveARestart() throws Exception {
        Path data = dir.resolve("parley-data");
        String token;
        try (ServerMain.Running running = ServerMain.start(new String[] {"--port", "0", "--no-web", "--data", data.toString()}, out)) {
            try (LineClient c = new LineClient(new Socket("127.0.0.1", running.server().port()))) {
                c.send("HELLO proto=1 name=Souvik");
                Matcher m = Pattern.compile(" resume=(\\S+)").matcher(c.readUntil("WELCOME"));
                assertTrue(m.find());
                token = m.group(1);
            }
        }
        Path secret = data.resolve(IdentityOptions.FILE_NAME);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        assertEquals(64, Files.size(secret));
        try (ServerMain.Running again = ServerMain.start(new String[] {"--port", "0", "--no-web", "--data", data.toString()}, out)) {
            try (LineClient c = new LineClient(new Socket("127.0.0.1", again.server().port()))) {
                c.send("HELLO proto=1 name=souvik resume=" + token);
                assertTrue(c.readUntil("WELCOME").contains(" resume=" + token));
            }
        }
        Path own = dir.resolve("own-secret");
        Files.writeString(own, "short");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerMain.start(new String[] {
            "--port", "0", "--no-web", "--memory", "--resume-secret", own.toString()}, out));
        assertEquals("--resume-secret " + own + " has 5 bytes; it needs at least 16", e.getMessage());
    }

    @Test
    void withNoStoreOptionMessagesAreKeptInH2InTheDataFolder() throws Exception {
        Path data = dir.resolve("parley-data");
        try (ServerMain.Running running = ServerMain.start(new String[] {"--port", "0", "--no-web", "--data", data.toString()}, out)) {
            try (LineClient c = new LineClient(new Socket("127.0.0.1", running.server().port()))) {
                c.send("HELLO proto=1 name=Souvik");
                c.readUntil("WELCOME");
                c.send("JOIN room=lobby");
                c.readUntil("JOINED");
                c.send("SEND room=lobby ref=1 :kept");
                c.readUntil("ACK");
            }
        }
        assertTrue(Files.exists(data.resolve("parley.mv.db")));
        try (ServerMain.Running again = ServerMain.start(new String[] {"--port", "0", "--no-web", "--data", data.toString()}, out)) {
            try (LineClient c = new LineClient(new Socket("127.0.0.1", again.server().port()))) {
                c.send("HELLO proto=1 name=Ritam");
                c.readUntil("WELCOME");
                c.send("JOIN room=lobby");
                assertTrue(c.readUntil("MSG").endsWith(":kept"));
            }
        }
    }

    @Test
    void whenTheDefaultWebPortIsTakenTheServerStartsWithoutIt() throws Exception {
        for (int attempt = 0; ; attempt++) {
            try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                int port = held.getLocalPort() - 1;
                ServerMain.Running running;
                try {
                    running = ServerMain.start(new String[] {"--port", Integer.toString(port), "--host", "127.0.0.1", "--memory"}, out);
                } catch (java.io.UncheckedIOException busy) {
                    assertTrue(attempt < 20, "no free port below a held one in 20 tries");
                    printed.reset();
                    continue;
                }
                try (running) {
                    assertEquals(1, running.server().addresses().size(), "TCP only");
                    assertEquals("listening on 127.0.0.1:" + port + "\nport " + (port + 1)
                            + " is taken: no browser page (choose one with --web-port PORT)\n", printed());
                }
                return;
            }
        }
    }

    @Test
    void aWebPortChosenByHandThatIsTakenIsAnError() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThrows(java.io.UncheckedIOException.class, () -> ServerMain.start(new String[] {"--port", "0",
                    "--host", "127.0.0.1", "--web-port", Integer.toString(held.getLocalPort()), "--memory"}, out));
        }
    }

    @Test
    void aWrongKeystorePasswordStopsTheStartWithTheReason() throws Exception {
        Path keystore = TestKeystore.create(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerMain.start(new String[] {
                "--port", "0", "--memory", "--tls-keystore", keystore.toString(), "--tls-keystore-password", "wrong"}, out));
        assertTrue(e.getMessage().startsWith("--tls-keystore " + keystore), e.getMessage());
    }
}
