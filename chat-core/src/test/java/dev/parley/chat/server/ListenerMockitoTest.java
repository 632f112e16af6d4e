package dev.parley.chat.server;

import dev.parley.chat.testing.RawClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.InOrder;

/**
 * The ServerListener contract seen through a Mockito mock: which events arrive, with which arguments,
 * in which order, and that a listener that throws keeps getting later events.
 */
@Timeout(30)
class ListenerMockitoTest {
    private static final long WAIT_MS = 10_000;

    @Test
    void reportsTheSeedStoryInOrderEvenWhenTheListenerThrows() throws Exception {
        ServerListener listener = mock(ServerListener.class);
        // The first callback of every kind below throws; the server must log it and carry on.
        doThrow(new IllegalStateException("listener bug")).when(listener).connected(any());

        try (ChatServer server = ChatServer.builder()
                .listen(TcpTransport.port(0))
                .store(InMemoryMessageStore.create())
                .listener(listener)
                .build()
                .start();
                RawClient alice = RawClient.hello(server.port(), "alice")) {
            alice.send("JOIN room=lobby");
            alice.expect("JOINED");
            try (RawClient bob = RawClient.hello(server.port(), "bob")) {
                bob.send("JOIN room=lobby");
                bob.expect("JOINED");
                alice.send("SEND room=lobby ref=1 :hi bob");
                alice.awaitVerb("ACK");
                bob.awaitVerb("MSG");
            } // bob's socket closes without QUIT

            verify(listener, timeout(WAIT_MS)).disconnected(
                    argThat(c -> "bob".equals(c.name())), eq(DisconnectReason.DISCONNECT));
            verify(listener, timeout(WAIT_MS)).left("lobby", "bob", "disconnect");

            InOrder order = inOrder(listener);
            order.verify(listener).joined("lobby", "alice");
            order.verify(listener).joined("lobby", "bob");
            order.verify(listener).messageStored(argThat(m -> m.text().equals("hi bob") && m.sender().equals("alice")));
            order.verify(listener).left("lobby", "bob", "disconnect");
            verify(listener, timeout(WAIT_MS).times(2)).connected(any());
            verify(listener, timeout(WAIT_MS).times(2)).registered(any());
            assertEquals(0, server.stats().listenerEventsDropped());
        }
    }
}
