package dev.parley.chat.net;

import dev.parley.chat.jakarta.JakartaWebSocketTransport;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/** The wire behaviour every Parley WebSocket transport shares, with the Jakarta transport in Tomcat 11. */
@Timeout(20)
class TomcatJakartaWebSocketTransportTest extends WebSocketTransportContract {
    private EmbeddedTomcat tomcat;
    private Binding binding;

    @AfterEach
    void stopTomcat() throws Exception {
        if (binding != null) {
            binding.close();
        }
        if (tomcat != null) {
            tomcat.close();
        }
    }

    /** Tomcat waits for the client's close frame before it closes the TCP connection (RFC 6455 allows it). */
    @Override
    protected boolean serverAwaitsCloseReply() {
        return true;
    }

    /** Tomcat refuses an oversize message once its payload passes the limit, not from the header. */
    @Override
    protected boolean decidesSizeFromTheHeader() {
        return false;
    }

    @Override
    protected SocketAddress startTransport(int maxMessageSize, Transport.Acceptor acceptor) throws Exception {
        JakartaWebSocketTransport transport = JakartaWebSocketTransport.builder().maxMessageSize(maxMessageSize).build();
        tomcat = EmbeddedTomcat.start(transport);
        binding = transport.bind(acceptor);
        return new InetSocketAddress("127.0.0.1", tomcat.port());
    }
}
