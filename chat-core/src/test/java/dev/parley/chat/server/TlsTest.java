package dev.parley.chat.server;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.net.TestCertificate;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS with a self-signed certificate made by the JDK's keytool at test time. */
@Timeout(60)
class TlsTest {
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
    void tlsClientsChatWithPlainClientsInTheSameRooms() throws Exception {
        try (ChatServer server = ChatServer.builder()
                .listen(TcpTransport.builder().host("127.0.0.1").port(0).tls(serverContext).build())
                .listen(TcpTransport.port(0))
                .store(InMemoryMessageStore.create()).build().start()) {
            int tlsPort = ((InetSocketAddress) server.addresses().get(0)).getPort();
            int plainPort = ((InetSocketAddress) server.addresses().get(1)).getPort();
            try (RawClient secure = RawClient.over(TcpTransport.connector("localhost", tlsPort, clientContext));
                    RawClient plain = RawClient.hello(plainPort, "plain")) {
                secure.send("HELLO proto=1 name=secure");
                secure.expect("WELCOME");
                secure.send("JOIN room=r");
                secure.expect("JOINED");
                plain.send("JOIN room=r");
                plain.expect("JOINED");
                secure.expect("JOINED");
                plain.send("SEND room=r :over tcp");
                plain.expect("ACK");
                assertEquals("over tcp", secure.expect("MSG").text());
                secure.send("SEND room=r :over tls");
                assertEquals("over tls", plain.expect("MSG").text());
            }
        }
    }

    @Test
    void aSilentTlsPeerIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (ChatServer server = ChatServer.builder()
                .listen(TcpTransport.builder().port(0).tls(serverContext).handshakeTimeout(Duration.ofMillis(200)).build())
                .store(InMemoryMessageStore.create()).build().start();
                Socket raw = new Socket("127.0.0.1", server.port())) {
            raw.setSoTimeout(10_000);
            assertEquals(-1, raw.getInputStream().read(), "server closes a peer that never starts TLS");
        }
    }

    @Test
    void tls12IsRefusedByDefault() throws Exception {
        try (ChatServer server = ChatServer.builder()
                .listen(TcpTransport.builder().port(0).tls(serverContext).build())
                .store(InMemoryMessageStore.create()).build().start();
                javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) clientContext.getSocketFactory()
                        .createSocket("localhost", server.port())) {
            ssl.setEnabledProtocols(new String[] {"TLSv1.2"});
            ssl.setSoTimeout(10_000);
            assertThrows(java.io.IOException.class, ssl::startHandshake);
        }
    }

    @Test
    void withTls12EnabledARenegotiatedConnectionIsClosed() throws Exception {
        try (ChatServer server = ChatServer.builder()
                .listen(TcpTransport.builder().port(0).tls(serverContext).tlsProtocols("TLSv1.3", "TLSv1.2").build())
                .rateLimit(1_000_000, 1_000_000) // so that only the renegotiation can close it
                .store(InMemoryMessageStore.create()).build().start();
                javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) clientContext.getSocketFactory()
                        .createSocket("localhost", server.port())) {
            ssl.setEnabledProtocols(new String[] {"TLSv1.2"});
            ssl.setSoTimeout(10_000);
            ssl.getOutputStream().write("HELLO proto=1 name=reneg\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(ssl.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("WELCOME"));
            assertEquals("TLSv1.2", ssl.getSession().getProtocol());
            boolean closed = false;
            try {
                ssl.startHandshake(); // client-initiated renegotiation
                // The close follows the renegotiation shortly (see TcpTransport.Builder#tlsProtocols).
                for (int i = 0; i < 1000 && !closed; i++) {
                    ssl.getOutputStream().write("PING\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    closed = in.readLine() == null;
                }
            } catch (java.io.IOException e) {
                closed = true;
            }
            assertTrue(closed, "the server must not keep a renegotiated connection");
            assertEquals(0, server.stats().floodDisconnects());
        }
    }

    @Test
    void tlsOnlyVersionsTwelveAndThirteen() {
        TcpTransport t = TcpTransport.builder().tls(serverContext).tlsProtocols("TLSv1.3").build();
        assertEquals("tls", t.name());
        assertEquals("tcp", TcpTransport.port(0).name());
    }
}
