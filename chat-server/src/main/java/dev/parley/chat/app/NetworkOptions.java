package dev.parley.chat.app;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.net.WebSocketTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/** Where the server listens: the TCP port, the browser page's WebSocket port, TLS. */
final class NetworkOptions {
    /** The path of the health check on the web port. */
    static final String HEALTH_PATH = "/healthz";

    @Option(names = "--host", paramLabel = "HOST", order = 10,
            description = "The address to listen on (default: all interfaces).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", order = 11,
            description = "The TCP port (default 7878; 0 picks a free one).")
    int port = 7878;

    @Option(names = "--web-port", paramLabel = "PORT", order = 12,
            description = "The browser chat page, WebSocket and " + HEALTH_PATH + " port (default: the TCP port + 1, "
                    + "0 with --port 0). When that default is taken the server starts without it and says so.")
    Integer webPort;

    @Option(names = "--no-web", order = 13, description = "No browser page, WebSocket or " + HEALTH_PATH + " port.")
    boolean noWeb;

    @Option(names = "--web-path", paramLabel = "PATH", order = 14,
            description = "The WebSocket endpoint on the web port (default /chat).")
    String webPath;

    @Option(names = "--allowed-origins", paramLabel = "ORIGIN", split = ",", order = 15,
            description = "Origins (scheme://host[:port], comma-separated, or *) whose pages may open a WebSocket "
                    + "besides the served page's own (default: none).")
    List<String> allowedOrigins;

    @Option(names = "--web-max-message-size", paramLabel = "SIZE", order = 16,
            converter = Converters.SizeConverter.class,
            description = "The largest WebSocket message accepted (default 64KiB).")
    Long webMaxMessageSize;

    @Option(names = "--web-handshake-timeout", paramLabel = "DURATION", order = 17,
            converter = Converters.DurationConverter.class,
            description = "Time for a new web socket to finish TLS and send its HTTP request (default 10s).")
    Duration webHandshakeTimeout;

    @Option(names = "--web-max-pending-handshakes", paramLabel = "N", order = 18,
            description = "Web sockets in their handshake at once; more are closed (default 1024).")
    Integer webMaxPendingHandshakes;

    @Option(names = "--tls-keystore", paramLabel = "FILE", order = 20,
            description = "Serve TLS (on the TCP port, and wss/https on the web port) with the key and certificate "
                    + "in this PKCS12 (.p12, .pfx) or JKS (.jks) keystore.")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password", paramLabel = "PASS", order = 21,
            description = "The keystore's password, also the key's (better set PARLEY_TLS_KEYSTORE_PASSWORD or put it "
                    + "in the --config file: a command line is visible to other users).")
    String tlsKeystorePassword;

    @Option(names = "--tls-protocols", paramLabel = "PROTOCOL", split = ",", order = 22,
            description = "TLS versions on the TCP port (default TLSv1.3; TLSv1.3,TLSv1.2 to allow 1.2). "
                    + "The web port speaks TLSv1.3.")
    List<String> tlsProtocols;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", order = 23,
            converter = Converters.DurationConverter.class,
            description = "Time for a TLS handshake on the TCP port (default 10s).")
    Duration tlsHandshakeTimeout;

    @Option(names = "--backlog", paramLabel = "N", order = 24,
            description = "The TCP port's accept backlog (default 1024).")
    Integer backlog;

    /** Checks what the options cannot say alone. */
    void check() {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, was " + port);
        }
        if (webPort != null && (webPort < 0 || webPort > 65535)) {
            throw new IllegalArgumentException("--web-port must be 0 to 65535, was " + webPort);
        }
        if (noWeb && webPort != null) {
            throw new IllegalArgumentException("choose --web-port or --no-web");
        }
        if (!noWeb && webPort == null && port == 65535) {
            throw new IllegalArgumentException("--port 65535 needs --web-port PORT or --no-web");
        }
        if (tlsKeystore == null && (tlsKeystorePassword != null || tlsProtocols != null || tlsHandshakeTimeout != null)) {
            throw new IllegalArgumentException("the --tls-* options need --tls-keystore FILE");
        }
    }

    /** The web port: --web-port, else the TCP port + 1, or 0 when the TCP port is 0. */
    int webPort() {
        if (webPort != null) {
            return webPort;
        }
        return port == 0 ? 0 : port + 1;
    }

    /** The TLS context from the keystore, or null without --tls-keystore. */
    SSLContext tls() {
        if (tlsKeystore == null) {
            return null;
        }
        char[] password = tlsKeystorePassword == null ? new char[0] : tlsKeystorePassword.toCharArray();
        String name = tlsKeystore.getFileName().toString().toLowerCase(Locale.ROOT);
        try (InputStream in = Files.newInputStream(tlsKeystore)) {
            KeyStore ks = KeyStore.getInstance(name.endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-keystore " + tlsKeystore + ": " + e.getMessage(), e);
        }
    }

    TcpTransport tcp(SSLContext tls) {
        TcpTransport.Builder b = TcpTransport.builder().port(port);
        if (host != null) {
            b.host(host);
        }
        if (tls != null) {
            b.tls(tls);
            if (tlsProtocols != null) {
                b.tlsProtocols(tlsProtocols.stream().map(String::strip).toArray(String[]::new));
            }
            if (tlsHandshakeTimeout != null) {
                b.handshakeTimeout(tlsHandshakeTimeout);
            }
        }
        if (backlog != null) {
            b.backlog(backlog);
        }
        return b.build();
    }

    WebSocketTransport web(SSLContext tls, BooleanSupplier healthy) {
        WebSocketTransport.Builder b = WebSocketTransport.builder().port(webPort()).servePage(true)
                .healthCheck(HEALTH_PATH, healthy);
        if (host != null) {
            b.host(host);
        }
        if (webPath != null) {
            b.path(webPath);
        }
        if (allowedOrigins != null) {
            b.allowedOrigins(allowedOrigins.stream().map(String::strip).toList());
        }
        if (webMaxMessageSize != null) {
            b.maxMessageSize(Converters.intSize(webMaxMessageSize, "--web-max-message-size"));
        }
        if (webHandshakeTimeout != null) {
            b.handshakeTimeout(webHandshakeTimeout);
        }
        if (webMaxPendingHandshakes != null) {
            b.maxPendingHandshakes(webMaxPendingHandshakes);
        }
        if (tls != null) {
            b.tls(tls);
        }
        return b.build();
    }
}
