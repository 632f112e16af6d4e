package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.client.ChatClient;
import dev.parley.chat.client.ChatSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ServerMainTest {
    @Test
    void portZeroPicksAFreePortAndSaysWhichOnceReady() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ServerMain.Running running = ServerMain.start(ServerMain.Options.parse(new String[] {"--port", "0", "--memory"}),
                new PrintStream(out, true, StandardCharsets.UTF_8))) {
            int port = running.server().port();
            assertTrue(port > 0);
            int webPort = ((java.net.InetSocketAddress) running.server().addresses().get(1)).getPort();
            assertTrue(webPort > 0);
            assertEquals("listening on 0.0.0.0:" + port + "\npage at http://localhost:" + webPort + "/\n",
                    out.toString(StandardCharsets.UTF_8));
            try (java.net.Socket http = new java.net.Socket("localhost", webPort)) {
                http.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String page = new String(http.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(page.startsWith("HTTP/1.1 200 OK\r\n") && page.contains("<title>Parley</title>"), page);
            }
            try (ChatSession s = ChatClient.builder().address("localhost", port).name("Souvik").build().connect()) {
                assertEquals(0, s.join("lobby").get().head());
            }
        }
    }

    @Test
    void whenTheDefaultPagePortIsTakenTheServerStartsWithoutThePage() throws Exception {
        // Hold a port Q and ask for the TCP port Q - 1 (retrying if Q - 1 is itself busy).
        for (int attempt = 0; ; attempt++) {
            try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                int port = held.getLocalPort() - 1;
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ServerMain.Running running;
                try {
                    running = ServerMain.start(ServerMain.Options.parse(new String[] {
                            "--port", Integer.toString(port), "--host", "127.0.0.1", "--memory"}),
                            new PrintStream(out, true, StandardCharsets.UTF_8));
                } catch (java.io.UncheckedIOException busy) {
                    assertTrue(attempt < 20, "no free port below a held one in 20 tries");
                    continue; // Q - 1 was taken as well
                }
                try (running) {
                    assertEquals(1, running.server().addresses().size(), "TCP only");
                    assertEquals("listening on 127.0.0.1:" + port + "\nport " + (port + 1)
                            + " is taken: no browser page (choose one with --web-port PORT)\n",
                            out.toString(StandardCharsets.UTF_8));
                    try (ChatSession s = ChatClient.builder().address("127.0.0.1", port).name("Souvik").build().connect()) {
                        assertEquals(0, s.join("lobby").get().head());
                    }
                }
                return;
            }
        }
    }

    @Test
    void aPagePortChosenByHandThatIsTakenIsAnError() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            ServerMain.Options o = ServerMain.Options.parse(new String[] {"--port", "0", "--host", "127.0.0.1",
                    "--web-port", Integer.toString(held.getLocalPort()), "--memory"});
            assertThrows(java.io.UncheckedIOException.class,
                    () -> ServerMain.start(o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        }
    }

    @Test
    void optionsAreChecked() {
        assertEquals(7878, ServerMain.Options.parse(new String[0]).port);
        assertEquals(7879, ServerMain.Options.parse(new String[0]).webPort());
        assertEquals(9001, ServerMain.Options.parse(new String[] {"--port", "9000"}).webPort());
        assertEquals(0, ServerMain.Options.parse(new String[] {"--port", "0"}).webPort());
        assertEquals(8080, ServerMain.Options.parse(new String[] {"--web-port", "8080"}).webPort());
        assertTrue(ServerMain.Options.parse(new String[] {"--no-web"}).noWeb);
        assertThrows(IllegalArgumentException.class, () -> ServerMain.Options.parse(new String[] {"--no-web", "--web-port", "1"}));
        assertThrows(IllegalArgumentException.class, () -> ServerMain.Options.parse(new String[] {"--port", "65535"}));
        assertThrows(IllegalArgumentException.class, () -> ServerMain.Options.parse(new String[] {"--memory", "--data", "x"}));
        assertThrows(IllegalArgumentException.class, () -> ServerMain.Options.parse(new String[] {"--port", "70000"}));
        assertThrows(IllegalArgumentException.class, () -> ServerMain.Options.parse(new String[] {"--port"}));
        assertThrows(IllegalArgumentException.class, () -> ServerMain.Options.parse(new String[] {"--bogus"}));
        assertThrows(IllegalArgumentException.class, () -> ServerMain.dataSource("jdbc:oracle:thin:@x", null, null));
    }
}
