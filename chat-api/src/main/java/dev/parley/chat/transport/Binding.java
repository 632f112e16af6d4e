package dev.parley.chat.transport;

import java.net.SocketAddress;

/** A listening transport: where it listens, and how to stop it. */
public interface Binding extends AutoCloseable {

    /** The address it listens on, with the real port when port 0 was asked for. */
    SocketAddress localAddress();

    /**
     * Stops accepting new connections. Connections already accepted are not touched: the server
     * closes them itself. Idempotent.
     */
    @Override
    void close();
}
