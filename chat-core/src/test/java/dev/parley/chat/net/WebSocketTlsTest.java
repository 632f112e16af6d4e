package dev.parley.chat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Connection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** wss: the same SSLContext option as TcpTransport, with a self-signed certificate made by keytool. */
@Timeout(60)
class WebSocketTlsTest {
    @TempDir
    static Path dir;
    static SSLContext serverContext;
    static SSLContext clientContext;

    @BeforeAll
    static void makeCertificate() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        serverContext = certificate.server();
        clientContext = certificate.client();
    }

    @Test
    void wssCarriesLinesBothWays() throws Exception {
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        WebSocketTransport transport = WebSocketTransport.builder().host("127.0.0.1").port(0)
                .tls(serverContext).build();
        assertEquals("wss", transport.name());
        try (Binding binding = transport.bind(accepted::add); HttpClient http = HttpClient.newBuilder()
                .sslContext(clientContext).build()) {
            int port = ((InetSocketAddress) binding.localAddress()).getPort();
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("wss://localhost:" + port + "/chat"),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            received.add(data.toString());
                            socket.request(1);
                            return null;
                        }
                    }).get(20, TimeUnit.SECONDS);
            Connection c = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(c);
            assertEquals("wss", c.transportName());
            ws.sendText("HELLO proto=1 name=sec", true).get(10, TimeUnit.SECONDS);
            byte[] buf = new byte[64];
            StringBuilder line = new StringBuilder();
            while (line.indexOf("\n") < 0) {
                int n = c.read(buf, 0, buf.length);
                assertTrue(n > 0);
                line.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertEquals("HELLO proto=1 name=sec\n", line.toString());
            c.write(ByteBuffer.wrap("WELCOME proto=1 name=sec\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals("WELCOME proto=1 name=sec", received.poll(10, TimeUnit.SECONDS));
            c.close();
        }
    }

    @Test
    void plainHttpOnTheTlsPortIsDropped() throws Exception {
        try (Binding binding = WebSocketTransport.builder().host("127.0.0.1").port(0).tls(serverContext).build()
                .bind(c -> { })) {
            int port = ((InetSocketAddress) binding.localAddress()).getPort();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                byte[] all = s.getInputStream().readAllBytes();
                assertFalse(new String(all, StandardCharsets.ISO_8859_1).contains("HTTP/1.1"),
                        "no HTTP answer in clear text");
            } catch (java.net.SocketException reset) {
                // closed with a reset: also fine
            }
        }
    }
}
