package dev.parley.chat.transport;

import java.io.IOException;

/** Opens client-side connections: what a {@code ChatClient} uses to reach a server. */
@FunctionalInterface
public interface Connector {

    /**
     * Opens a new connection to the server.
     *
     * @throws IOException if the server cannot be reached
     */
    Connection connect() throws IOException;
}
