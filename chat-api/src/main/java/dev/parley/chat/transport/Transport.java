package dev.parley.chat.transport;

import java.io.IOException;

/**
 * Turns some listener (a TCP port, a WebSocket endpoint, an in-process pipe) into {@link Connection}s
 * that carry protocol bytes. The server never knows which transport a connection came from.
 *
 * <p>To write one: {@link #bind} starts listening and returns at once; for every peer that arrives,
 * the transport calls {@link Acceptor#accept} from its own accepting thread with a
 * {@link Connection} whose {@code read}/{@code write} move the protocol's bytes. Anything the
 * transport must do before bytes flow (a TLS or WebSocket handshake) happens lazily inside the
 * connection's first {@code read} or {@code write}, which the server calls from the connection's own
 * virtual thread, never on the accepting thread. See docs/transports.md.
 */
public interface Transport {

    /** A short name for logs and stats: {@code tcp}, {@code tls}, {@code memory}, {@code ws}, ... */
    String name();

    /**
     * Starts listening. Returns once the listener is ready (a port is bound).
     *
     * @param acceptor receives each new connection; it must return quickly
     * @return the handle that tells the address and stops listening
     * @throws IOException if the listener cannot be opened (port in use, ...)
     */
    Binding bind(Acceptor acceptor) throws IOException;

    /** Receives new connections. Called from the transport's accepting thread. */
    @FunctionalInterface
    interface Acceptor {
        /** Takes ownership of the connection; must not block. */
        void accept(Connection connection);
    }
}
