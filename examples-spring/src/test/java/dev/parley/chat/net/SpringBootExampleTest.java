package dev.parley.chat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.examples.spring.ChatApplication;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.ChatServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The example Spring Boot application on a random port: a browser (headless Chromium, on the page the
 * application serves), a raw TCP client and a plain WebSocket client chat in one room; the actuator
 * shows Parley's meters and health; history is in the application's DataSource; stopping the context
 * says goodbye to every connection. (In chat-core's test package for its browser and TCP helpers.)
 */
@SpringBootTest(classes = ChatApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "server.address=127.0.0.1",
                "parley.tcp.host=127.0.0.1",
                "parley.tcp.port=0",
                "spring.datasource.url=jdbc:h2:mem:parley-example-test;DB_CLOSE_DELAY=-1"})
@DirtiesContext
@Timeout(120)
class SpringBootExampleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ONLINE = "document.getElementById('status').dataset.state === 'online'";
    private static final String LOBBY_MESSAGES = "[...document.querySelectorAll('ol.messages[data-room=\"lobby\"] li.msg')]"
            + ".map(li => li.querySelector('.from').textContent + ': ' + li.querySelector('.text').textContent).join(' | ')";

    @Value("${local.server.port}")
    private int webPort;
    @Autowired
    private ChatServer server;
    @Autowired
    private DataSource dataSource;
    @Autowired
    private ConfigurableApplicationContext context;

    private final HttpClient http = HttpClient.newHttpClient();

    /** A java.net.http WebSocket client: each text message is one protocol line. */
    private static final class WsUser implements WebSocket.Listener {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        WebSocket ws;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String line = text.toString();
                text.setLength(0);
                if (line.startsWith("PING ")) {
                    webSocket.sendText("PONG " + line.substring(5), true);
                }
                lines.add(line);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        void send(String line) throws Exception {
            ws.sendText(line, true).get(10, TimeUnit.SECONDS);
        }

        String await(String prefix) throws InterruptedException {
            while (true) {
                String l = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertNotNull(l, "no " + prefix + " within " + WAIT);
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
        }
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    @SuppressWarnings("unchecked")
    private double meter(String name) throws Exception {
        Map<String, Object> m = (Map<String, Object>) Json.parse(get("/actuator/metrics/" + name));
        List<Map<String, Object>> measurements = (List<Map<String, Object>>) m.get("measurements");
        return ((Number) measurements.get(0).get("value")).doubleValue();
    }

    /** The parley component of /actuator/health. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> health() throws Exception {
        Map<String, Object> health = (Map<String, Object>) Json.parse(get("/actuator/health"));
        return (Map<String, Object>) ((Map<String, Object>) health.get("components")).get("parley");
    }

    private long storedMessages() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*) FROM parley_message")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void browserTcpAndWebSocketChatThenActuatorThenAGracefulStop() throws Exception {
        boolean withBrowser = HeadlessChromium.find().isPresent() || HeadlessChromium.required();
        try (HeadlessChromium browser = withBrowser ? HeadlessChromium.launch(Path.of("target", "chromium.log")) : null;
                TcpChatUser bob = new TcpChatUser(server.port())) {
            bob.send(Frame.of("HELLO").with("proto", "1").with("name", "bob"));
            bob.await("WELCOME", WAIT);
            bob.send(Frame.of("JOIN").with("room", "lobby"));
            bob.await("JOINED", WAIT);

            WsUser carol = new WsUser();
            carol.ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + webPort + "/chat"), carol).get(10, TimeUnit.SECONDS);
            carol.send("HELLO proto=1 name=carol");
            carol.await("WELCOME");
            carol.send("JOIN room=lobby");
            carol.await("JOINED room=lobby name=carol");

            HeadlessChromium.Page page = null;
            if (browser != null) {
                page = browser.newPage(1200, 760);
                page.navigate("http://127.0.0.1:" + webPort + "/");
                page.waitFor("the login form", "document.getElementById('name') !== null", WAIT);
                page.type("#name", "alice");
                page.pressEnter();
                page.waitFor("WELCOME and the lobby", ONLINE + " && document.getElementById('room-title').textContent === 'lobby'", WAIT);
                page.type("#text", "Hello from the page the application serves");
                page.pressEnter();
                Frame fromBrowser = bob.await("alice's MSG", f -> f.verb().equals("MSG") && "alice".equals(f.field("from")), WAIT);
                assertEquals("Hello from the page the application serves", fromBrowser.text());
                assertTrue(carol.await("MSG room=lobby").contains("from=alice"));
            }
            bob.send(Frame.of("SEND").with("room", "lobby").with("ref", "b1").text("Hello from a terminal"));
            bob.await("ACK", WAIT);
            assertTrue(carol.await("MSG room=lobby").endsWith(":Hello from a terminal"));
            if (page != null) {
                page.waitFor("bob's message in the browser",
                        LOBBY_MESSAGES + " === 'alice: Hello from the page the application serves | bob: Hello from a terminal'", WAIT);
            }
            int users = browser != null ? 3 : 2;

            assertEquals(users, meter("parley.connections"));
            assertEquals(users, meter("parley.users"));
            assertTrue(meter("parley.deliveries") >= users - 1, "deliveries");
            assertTrue(meter("parley.frames.received") > 0);
            assertEquals(users - 1, meter("parley.store.append"), "one append per message (its count)");
            Map<String, Object> parley = health();
            assertEquals("UP", parley.get("status"), parley.toString());
            assertEquals(users, ((Number) ((Map<?, ?>) parley.get("details")).get("connections")).intValue(), parley.toString());
            assertEquals(users - 1, storedMessages(), "history is in the application's DataSource");

            // What SIGTERM does (close() stops the same lifecycles in the same phases, then destroys the
            // beans); stop() leaves the context to the test framework, which closes it (@DirtiesContext).
            // On its own thread, as the clients answer BYE by closing, which ends the server's drain.
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(context::stop);
            bob.await("ERROR code=SHUTTING_DOWN", f -> f.verb().equals("ERROR") && "SHUTTING_DOWN".equals(f.field("code")), WAIT);
            bob.await("BYE reason=shutdown", f -> f.verb().equals("BYE") && "shutdown".equals(f.field("reason")), WAIT);
            bob.close();
            carol.await("ERROR code=SHUTTING_DOWN");
            assertEquals("BYE reason=shutdown", carol.await("BYE"));
            assertEquals(1000, carol.closed.get(10, TimeUnit.SECONDS), "a normal close after the BYE");
            stopped.get(30, TimeUnit.SECONDS);
            assertFalse(server.isRunning());
            if (page != null) {
                page.waitFor("the page offline", "!(" + ONLINE + ")", WAIT);
            }
        }
    }
}
