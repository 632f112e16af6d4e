package dev.parley.chat.net;

import dev.parley.chat.jakarta.JakartaWebSocketTransport;
import dev.parley.chat.server.ChatServer;
import org.junit.jupiter.api.AfterEach;

/**
 * The built-in transport's browser tests (headless Chromium), with the page and the WebSocket served
 * by an embedded Jetty 12 through the Jakarta transport instead of a port of Parley's own.
 */
class JakartaBrowserTest extends WebSocketBrowserTest {
    private EmbeddedJetty jetty;

    @Override
    protected ChatServer start(int wsPort, int joinReplay) {
        JakartaWebSocketTransport ws = JakartaWebSocketTransport.builder().servePage(true).build();
        try {
            jetty = EmbeddedJetty.start(ws);
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not start", e);
        }
        return ChatServer.builder()
                .listen(TcpTransport.builder().host("127.0.0.1").port(0).build())
                .listen(ws)
                .store(store)
                .joinReplay(joinReplay)
                .build()
                .start();
    }

    @Override
    protected int pagePort() {
        return jetty.port();
    }

    /** Runs after the superclass has closed the server and the browser. */
    @Override
    @AfterEach
    void stop() {
        super.stop();
        if (jetty != null) {
            try {
                jetty.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
