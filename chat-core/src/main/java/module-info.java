/**
 * Parley's runtime: the embeddable {@code ChatServer}, the {@code ChatClient}, the transports and the
 * in-memory store. Implementation packages ({@code *.internal}) are not exported.
 */
module dev.parley.chat.core {
    requires transitive dev.parley.chat.api;
    requires org.slf4j;

    exports dev.parley.chat.client;
    exports dev.parley.chat.server;
    exports dev.parley.chat.server.spi;
    exports dev.parley.chat.net;
    exports dev.parley.chat.store.memory;
}
