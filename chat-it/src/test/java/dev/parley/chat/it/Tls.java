package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** The test certificate (src/test/resources/tls/README.md) as server and client SSL contexts. */
final class Tls {
    private static final char[] PASSWORD = "parley-test".toCharArray();

    private Tls() {
    }

    private static KeyStore keyStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Tls.class.getResourceAsStream("/tls/parley-test.p12")) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** A context holding the server's key. */
    static SSLContext server() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(), PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A context that trusts the test certificate only. */
    static SSLContext client() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A TLS client connection to 127.0.0.1:port, handshake done. */
    static RawClient connect(int port, String label) throws Exception {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        SSLSocket ssl = (SSLSocket) client().getSocketFactory().createSocket(raw, "localhost", port, true);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        return RawClient.over(ssl, label);
    }
}
