package dev.parley.chat.client.internal;

import dev.parley.chat.client.ChatListener;
import dev.parley.chat.transport.Connector;
import java.time.Duration;

/**
 * The validated settings of a {@code ChatClient} (see its builder for the meaning of each).
 *
 * @param connector opens connections
 * @param server a description of the server for logs and messages
 * @param name the name to register
 * @param token the authentication token or {@code null}
 * @param resumeToken the resume token to present at the first HELLO, or {@code null}
 * @param listener receives events
 * @param requestTimeout how long a request may wait for its answer
 * @param connectTimeout how long connecting and the handshake may take
 * @param closeTimeout how long a graceful close waits
 * @param reconnect whether to reconnect after a drop
 * @param reconnectBaseDelay the backoff base
 * @param reconnectMaxDelay the backoff cap
 * @param idleTimeout how long a connection may stay silent before it is considered dead
 * @param maxQueuedEvents how many events may wait for the listener before the socket reader pauses
 */
public record ClientSettings(Connector connector, String server, String name, String token, String resumeToken,
        ChatListener listener,
        Duration requestTimeout, Duration connectTimeout, Duration closeTimeout, boolean reconnect,
        Duration reconnectBaseDelay, Duration reconnectMaxDelay, Duration idleTimeout, int maxQueuedEvents) {
}
