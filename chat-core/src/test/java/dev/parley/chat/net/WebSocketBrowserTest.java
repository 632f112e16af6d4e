package dev.parley.chat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The chat page in a real browser (headless Chromium) against a real ChatServer, next to a TCP user.
 * Skipped without Chromium unless PARLEY_REQUIRE_BROWSER=1 or CI=true (then it fails).
 * With {@code -Dparley.screenshot=PATH} the conversation test also saves a PNG of the page.
 * chat-jakarta-websocket runs the same tests against its transport in Jetty by overriding
 * {@link #start} and {@link #pagePort}.
 */
@Timeout(120)
class WebSocketBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Texts of the lobby's messages as shown, "from: text" each, joined by " | ". */
    private static final String LOBBY_MESSAGES = "[...document.querySelectorAll('ol.messages[data-room=\"lobby\"] li.msg')]"
            + ".map(li => li.querySelector('.from').textContent + ': ' + li.querySelector('.text').textContent).join(' | ')";
    private static final String MEMBERS = "[...document.querySelectorAll('#members li')].map(li => li.textContent).join(',')";
    private static final String ONLINE = "document.getElementById('status').dataset.state === 'online'";

    private HeadlessChromium browser;
    protected final InMemoryMessageStore store = InMemoryMessageStore.create();
    protected ChatServer server;

    @BeforeEach
    void startBrowser(TestInfo test) throws Exception {
        if (test.getTestMethod().orElseThrow().getName().equals("screenshotForTheReadme")) {
            String target = System.getProperty("parley.screenshot");
            Assumptions.assumeTrue(target != null && !target.isBlank(),
                    "set -Dparley.screenshot=PATH to write a screenshot of the chat page");
        }
        browser = HeadlessChromium.launch(Path.of("target", "chromium.log"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (browser != null) {
            browser.close();
        }
    }

    /** A server on {@link #store} with TCP first and the page and WebSocket (port {@code wsPort}) second. */
    protected ChatServer start(int wsPort, int joinReplay) {
        return ChatServer.builder()
                .listen(TcpTransport.builder().host("127.0.0.1").port(0).build())
                .listen(WebSocketTransport.builder().host("127.0.0.1").port(wsPort).servePage(true).build())
                .store(store)
                .joinReplay(joinReplay)
                .build()
                .start();
    }

    private static int port(ChatServer server, int index) {
        return ((InetSocketAddress) server.addresses().get(index)).getPort();
    }

    /** The port the page and the WebSocket endpoint are served on. */
    protected int pagePort() {
        return port(server, 1);
    }

    private static String js(String s) {
        return Json.write(s);
    }

    private HeadlessChromium.Page login(int wsPort, String name) throws Exception {
        HeadlessChromium.Page page = browser.newPage(1200, 760);
        page.navigate("http://127.0.0.1:" + wsPort + "/");
        page.waitFor("the login form", "document.getElementById('name') !== null", WAIT);
        page.type("#name", name);
        page.pressEnter();
        page.waitFor("WELCOME and the lobby", ONLINE + " && document.getElementById('room-title').textContent === 'lobby'",
                WAIT);
        return page;
    }

    private static void say(HeadlessChromium.Page page, String text) throws Exception {
        page.type("#text", text);
        page.pressEnter();
    }

    @Test
    void browserAndTcpUserChatAndTheHistorySurvivesAReload() throws Exception {
        server = start(0, 50);
        int tcpPort = port(server, 0);
        int wsPort = pagePort();
        try (TcpChatUser bob = new TcpChatUser(tcpPort)) {
            bob.send(Frame.of("HELLO").with("proto", "1").with("name", "bob"));
            bob.await("WELCOME", WAIT);
            bob.send(Frame.of("JOIN").with("room", "lobby"));
            bob.await("JOINED", WAIT);

            HeadlessChromium.Page page = login(wsPort, "alice");
            page.waitFor("bob in the member list (WHO)", MEMBERS + " === 'alice,bob'", WAIT);
            bob.await("alice's JOINED notice",
                    f -> f.verb().equals("JOINED") && "alice".equals(f.field("name")), WAIT);

            say(page, "Hi Bob, this is the browser ✓");
            Frame fromBrowser = bob.await("alice's MSG", f -> f.verb().equals("MSG"), WAIT);
            assertEquals("alice", fromBrowser.field("from"));
            assertEquals("lobby", fromBrowser.field("room"));
            assertEquals("Hi Bob, this is the browser ✓", fromBrowser.text());
            page.waitFor("the ACK to mark the message sent",
                    "document.querySelector('li.msg.mine[data-seq=\"" + fromBrowser.field("seq") + "\"]') !== null", WAIT);

            bob.send(Frame.of("SEND").with("room", "lobby").with("ref", "b1").text("Hello Alice\nfrom a terminal <b>"));
            bob.await("ACK", WAIT);
            String conversation = "alice: Hi Bob, this is the browser ✓ | bob: Hello Alice\nfrom a terminal <b>";
            page.waitFor("bob's message, as text", LOBBY_MESSAGES + " === " + js(conversation), WAIT);

            // the resume token from WELCOME is kept in sessionStorage, and the reload comes back with it
            Object token = page.eval("sessionStorage.getItem('parley.resume')");
            assertTrue(token instanceof String t && t.startsWith("1."), "resume token kept: " + token);
            page.reload();
            page.waitFor("the history after the reload", ONLINE + " && " + LOBBY_MESSAGES + " === " + js(conversation), WAIT);
            assertEquals(token, page.eval("sessionStorage.getItem('parley.resume')"), "the same identity after the reload");
            bob.await("alice back after the reload",
                    f -> f.verb().equals("JOINED") && "alice".equals(f.field("name")), WAIT);
            assertEquals(List.of("alice", "bob"), server.members("lobby"));

            bob.send(Frame.of("QUIT"));
            bob.await("BYE", WAIT);
            page.waitFor("bob gone from the member list (LEFT)", MEMBERS + " === 'alice'", WAIT);
            page.waitFor("the leave notice",
                    "[...document.querySelectorAll('li.notice')].some(li => li.textContent === 'bob left (quit)')", WAIT);
        }
    }

    @Test
    void pageReconnectsAfterTheConnectionDropsAndCatchesUpWithSince() throws Exception {
        server = start(0, 1);
        try (DroppingProxy network = new DroppingProxy(pagePort())) {
            server.post("lobby", "bob", "one");
            HeadlessChromium.Page page = login(network.port(), "carol");
            page.waitFor("the replay", LOBBY_MESSAGES + " === 'bob: one'", WAIT);

            network.drop();
            page.waitFor("the page noticing the drop", "document.getElementById('status').dataset.state !== 'online'",
                    WAIT);
            // Two messages arrive while the page is away. With joinReplay(1) a JOIN without since would
            // replay only the last one: seeing both proves the page rejoined with since=1.
            server.post("lobby", "bob", "two");
            server.post("lobby", "bob", "three");
            network.restore();

            page.waitFor("the missed messages, once each",
                    ONLINE + " && " + LOBBY_MESSAGES + " === 'bob: one | bob: two | bob: three'", WAIT);
            server.post("lobby", "bob", "four");
            page.waitFor("live messages after the reconnect",
                    LOBBY_MESSAGES + " === 'bob: one | bob: two | bob: three | bob: four'", WAIT);
        }
    }

    @Test
    void earlierMessagesLoadAboveTheReplayFiftyAtATime() throws Exception {
        server = start(0, 50);
        List<String> all = new java.util.ArrayList<>();
        for (int i = 1; i <= 120; i++) {
            server.post("lobby", "bob", "m" + i);
            all.add("bob: m" + i);
        }
        HeadlessChromium.Page page = login(pagePort(), "dana");
        String older = "document.querySelector('ol.messages[data-room=\"lobby\"] li.older')";
        page.waitFor("the replay of the newest 50 and the button",
                LOBBY_MESSAGES + " === " + js(String.join(" | ", all.subList(70, 120))) + " && " + visible(older),
                WAIT);
        page.eval(older + ".querySelector('button').click()");
        page.waitFor("50 earlier ones above them",
                LOBBY_MESSAGES + " === " + js(String.join(" | ", all.subList(20, 120))), WAIT);
        page.eval(older + ".querySelector('button').click()");
        page.waitFor("the first 20, and no button once there is nothing older",
                LOBBY_MESSAGES + " === " + js(String.join(" | ", all)) + " && !" + visible(older), WAIT);
    }

    /** Whether the element takes space on the page: false when hidden, whatever the CSS says of its display. */
    private static String visible(String element) {
        return "(" + element + ".getClientRects().length > 0)";
    }

    @Test
    void showEarlierMessagesIsNotOfferedWhenTheFirstMessageIsOnScreen() throws Exception {
        server = start(0, 50);
        server.post("lobby", "bob", "first");
        server.post("lobby", "bob", "second");
        HeadlessChromium.Page page = login(pagePort(), "erin");
        String older = "document.querySelector('ol.messages[data-room=\"lobby\"] li.older')";
        page.waitFor("the whole conversation and no button", LOBBY_MESSAGES + " === 'bob: first | bob: second' && "
                + older + ".hidden && !" + visible(older), WAIT);
    }

    @Test
    void aNameWithASpaceIsExplainedAtOnceAndTheServersRefusalEndsTheSpinner() throws Exception {
        server = start(0, 50);
        HeadlessChromium.Page page = browser.newPage(1200, 760);
        page.navigate("http://127.0.0.1:" + pagePort() + "/");
        page.waitFor("the login form and its rule", "document.getElementById('name-rule').textContent.includes('no spaces')", WAIT);
        page.type("#name", "Mary Jane");
        page.pressEnter();
        page.waitFor("the rule, before anything is sent",
                "document.getElementById('login-error').textContent.includes('Names cannot contain spaces: try Mary_Jane')"
                        + " && document.getElementById('status').dataset.state === 'offline'", WAIT);
        assertEquals(0, server.stats().connectionsTotal(), "nothing was sent");

        // A name only the server refuses (reserved): the reason is shown and the page stops trying.
        page.eval("document.getElementById('name').value = ''");
        page.type("#name", "system");
        page.pressEnter();
        page.waitFor("the server's reason, and no reconnecting",
                "document.getElementById('login-error').textContent.startsWith('That name cannot be used')"
                        + " && document.getElementById('status').dataset.state === 'offline'"
                        + " && " + visible("document.getElementById('login')"), WAIT);

        page.eval("document.getElementById('name').value = ''");
        page.type("#name", "Mary_Jane");
        page.pressEnter();
        page.waitFor("signed in with a valid name", ONLINE + " && document.getElementById('room-title').textContent === 'lobby'", WAIT);
    }

    /** Not a check: renders a realistic conversation for docs/images/chat-page.png when asked to. */
    @Test
    void screenshotForTheReadme() throws Exception {
        String target = System.getProperty("parley.screenshot");
        server = start(0, 50);
        int tcpPort = port(server, 0);
        int wsPort = pagePort();
        try (TcpChatUser bob = new TcpChatUser(tcpPort); TcpChatUser dana = new TcpChatUser(tcpPort)) {
            bob.send(Frame.of("HELLO").with("proto", "1").with("name", "bob"));
            bob.await("WELCOME", WAIT);
            dana.send(Frame.of("HELLO").with("proto", "1").with("name", "dana"));
            dana.await("WELCOME", WAIT);
            for (String room : List.of("lobby", "release-0.1", "random")) {
                bob.send(Frame.of("JOIN").with("room", room));
                bob.await("JOINED", WAIT);
            }
            dana.send(Frame.of("JOIN").with("room", "lobby"));
            dana.await("JOINED", WAIT);
            bob.send(Frame.of("SEND").with("room", "lobby").text("Morning! The WebSocket transport is merged."));
            bob.await("ACK", WAIT);
            dana.send(Frame.of("SEND").with("room", "lobby").text("Nice. Does the browser see our history?"));
            dana.await("ACK", WAIT);

            HeadlessChromium.Page page = login(wsPort, "alice");
            page.waitFor("members", MEMBERS + " === 'alice,bob,dana'", WAIT);
            say(page, "It does: I just joined from the browser and got both messages.");
            bob.await("MSG", WAIT);
            bob.send(Frame.of("SEND").with("room", "lobby")
                    .text("I'm in a terminal over plain TCP:\nsame room, same seq numbers."));
            bob.await("ACK", WAIT);
            say(page, "And if my Wi-Fi drops, the page rejoins with since= and catches up.");
            dana.await("MSG", f -> f.verb().equals("MSG") && "alice".equals(f.field("from"))
                    && f.text().startsWith("And if"), WAIT);
            dana.send(Frame.of("SEND").with("room", "lobby").text("Ship it!"));
            dana.await("ACK", WAIT);
            page.waitFor("the whole conversation",
                    "document.querySelectorAll('ol.messages[data-room=\"lobby\"] li.msg:not(.pending)').length === 6", WAIT);
            Path png = Path.of(target);
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.write(png, page.screenshot());
        }
    }
}
