package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.util.function.UnaryOperator;

/** A started server on an ephemeral port with its store and recorded events. Close it after the test. */
final class TestServer implements AutoCloseable {
    final ChatServer server;
    final MessageStore store;
    final Events events = new Events();

    private TestServer(MessageStore store, UnaryOperator<ChatServer.Builder> settings, boolean record) {
        this.store = store;
        ChatServer.Builder b = ChatServer.builder()
                .listen(TcpTransport.port(0))
                .store(store);
        if (record) {
            b.listener(events);
        }
        this.server = settings.apply(b).build().start();
    }

    /** A server with default settings and an in-memory store. */
    static TestServer start() {
        return start(UnaryOperator.identity());
    }

    /** A server with an in-memory store and these settings on top of the defaults. */
    static TestServer start(UnaryOperator<ChatServer.Builder> settings) {
        return new TestServer(InMemoryMessageStore.create(), settings, true);
    }

    /** A server on this store. */
    static TestServer start(MessageStore store, UnaryOperator<ChatServer.Builder> settings) {
        return new TestServer(store, settings, true);
    }

    /**
     * A server whose events are not recorded: {@link #events} stays empty. For long runs, where
     * recording every disconnect and message would itself fill the heap.
     */
    static TestServer startUnrecorded(MessageStore store, UnaryOperator<ChatServer.Builder> settings) {
        return new TestServer(store, settings, false);
    }

    int port() {
        return server.port();
    }

    RawClient connect(String label) {
        return RawClient.connect(port(), label);
    }

    /** Connects and registers under this name (the label is the name). */
    RawClient user(String name) {
        return RawClient.connect(port(), name).hello(name);
    }

    @Override
    public void close() {
        server.close();
    }
}
