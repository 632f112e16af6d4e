package dev.parley.chat.client;

import dev.parley.chat.client.internal.ClientSettings;
import dev.parley.chat.client.internal.RealChatSession;
import dev.parley.chat.client.internal.SocketConnector;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.transport.Connector;
import java.time.Duration;
import java.util.Objects;

/**
 * A configured chat client: where the server is, who we are, and who listens. Immutable; each
 * {@link #connect()} opens a new {@link ChatSession}.
 *
 * <pre>{@code
 * ChatClient client = ChatClient.builder()
 *         .address("localhost", 7878)     // or .connector(...) for an in-process server
 *         .name("Souvik")
 *         .listener(new ChatListener() {
 *             public void onMessage(ChatMessage m) { System.out.println(m.from() + ": " + m.text()); }
 *         })
 *         .build();
 * try (ChatSession session = client.connect()) {
 *     session.join("lobby").join();
 *     Ack ack = session.send("lobby", "hello").get();
 * }
 * }</pre>
 */
public final class ChatClient {
    private final ClientSettings settings;

    private ChatClient(ClientSettings settings) {
        this.settings = settings;
    }

    /** A builder with the defaults listed on its methods. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects, registers the name ({@code HELLO}) and returns the open session. Does not retry: a
     * server that cannot be reached fails here; reconnecting starts once a session was open.
     *
     * @throws dev.parley.chat.protocol.ProtocolException if the server refuses the registration, e.g.
     *     {@code NAME_TAKEN} (try again with another name), {@code INVALID_NAME}, {@code AUTH_FAILED},
     *     {@code SERVER_FULL}
     * @throws ChatClientException if the server cannot be reached or does not answer within the
     *     connect timeout
     */
    public ChatSession connect() {
        return RealChatSession.connect(settings);
    }

    /** The name this client registers. */
    public String name() {
        return settings.name();
    }

    /** Builds a {@link ChatClient}; validates when {@link #build()} is called. Not thread safe. */
    public static final class Builder {
        private Connector connector;
        private String host;
        private int port = -1;
        private String name;
        private String token;
        private String resumeToken;
        private ChatListener listener = new ChatListener() {
        };
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private boolean reconnect = true;
        private Duration reconnectBaseDelay = Duration.ofMillis(500);
        private Duration reconnectMaxDelay = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int maxQueuedEvents = 10_000;

        private Builder() {
        }

        /** The server's TCP address. Either this or {@link #connector} is required. */
        public Builder address(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            this.connector = null;
            return this;
        }

        /**
         * How to open connections, instead of {@link #address}: for example an in-memory transport's
         * connector to reach a server in the same process, or a TLS connector.
         */
        public Builder connector(Connector connector) {
            this.connector = Objects.requireNonNull(connector, "connector");
            this.host = null;
            return this;
        }

        /**
         * The name to register (required): 1 to 32 letters, digits, '_', '-' or '.', starting with a
         * letter or digit (PROTOCOL.md, "Names"); checked by {@link #build()}.
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The resume token an earlier session of this anonymous user got from the server
         * ({@link ChatSession#resumeToken()}, {@link ChatListener#onResumeToken}): the first
         * {@code HELLO} presents it to come back as the same identity, with its direct messages. If the
         * server refuses it ({@code RESUME_REFUSED}: another name, or a server restarted without its
         * secret) the session starts as a new identity. Default: none. A secret: store it like a
         * password.
         */
        public Builder resumeToken(String resumeToken) {
            this.resumeToken = resumeToken;
            return this;
        }

        /** A secret for the server's authenticator, sent in {@code HELLO token=}. Default: none. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Who receives messages and events. Default: a listener that ignores everything. */
        public Builder listener(ChatListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** How long a request waits for its answer before failing with a TimeoutException. Default 30 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "requestTimeout");
            return this;
        }

        /** How long opening a connection and the {@code HELLO}/{@code WELCOME} handshake may take. Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
            return this;
        }

        /** How long {@link ChatSession#close()} waits for the server's {@code BYE}. Default 5 s. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "closeTimeout");
            return this;
        }

        /** Whether a dropped session reconnects by itself. Default true. */
        public Builder reconnect(boolean reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /**
         * The reconnect backoff: before attempt {@code n} (from 0) the session waits a random time
         * between 0 and {@code min(max, base * 2^n)} ("full jitter"), so that many clients dropped at
         * once do not come back in lockstep. Defaults 500 ms and 30 s.
         */
        public Builder reconnectDelay(Duration base, Duration max) {
            this.reconnectBaseDelay = Objects.requireNonNull(base, "reconnectDelay base");
            this.reconnectMaxDelay = Objects.requireNonNull(max, "reconnectDelay max");
            return this;
        }

        /**
         * How long a connection may stay silent before the client considers it dead, closes it and
         * reconnects (reason {@code timeout}): a server that vanished without closing its socket (a
         * suspended laptop, a dropped network) is otherwise never noticed. After half of it without
         * a frame the client sends {@code PING}; a live server answers. A connection whose one write
         * has been blocked this long (the server stopped reading) is closed the same way. Default 60 s.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
            return this;
        }

        /**
         * How many events (messages, notices, request completions) may wait for the listener before
         * the session stops reading from the server. A listener slower than the traffic then holds
         * back the socket instead of filling the client's memory: the server queues for this client
         * until its own limit, closes the connection as {@code slow-consumer}, and the session
         * reconnects and resumes with {@code since=} once the listener has caught up, so nothing is
         * lost. Default 10000.
         */
        public Builder maxQueuedEvents(int max) {
            this.maxQueuedEvents = max;
            return this;
        }

        /**
         * The client, with validated settings.
         *
         * @throws IllegalArgumentException naming the setting that is missing or impossible
         */
        public ChatClient build() {
            if (name == null) {
                throw new IllegalArgumentException("name is required");
            }
            try {
                Names.canonicalUser(name);
            } catch (ProtocolException e) {
                throw new IllegalArgumentException("name: " + e.getMessage() + ", was " + Escaping.forLog(name, 40));
            }
            Connector c = connector;
            if (c == null) {
                if (host == null) {
                    throw new IllegalArgumentException("address or connector is required");
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("address port must be 1..65535, was " + port);
                }
                c = new SocketConnector(host, port, connectTimeout);
            }
            positive("requestTimeout", requestTimeout);
            positive("connectTimeout", connectTimeout);
            positive("closeTimeout", closeTimeout);
            positive("reconnectDelay base", reconnectBaseDelay);
            positive("reconnectDelay max", reconnectMaxDelay);
            positive("idleTimeout", idleTimeout);
            if (maxQueuedEvents < 2) {
                throw new IllegalArgumentException("maxQueuedEvents must be at least 2, was " + maxQueuedEvents);
            }
            if (reconnectMaxDelay.compareTo(reconnectBaseDelay) < 0) {
                throw new IllegalArgumentException("reconnectDelay max must not be less than base, was "
                        + reconnectMaxDelay + " < " + reconnectBaseDelay);
            }
            if (token != null && (token.isEmpty() || token.chars().anyMatch(ch -> ch <= ' '))) {
                throw new IllegalArgumentException("token must be non-empty and have no spaces or control characters");
            }
            String description = host != null ? host + ":" + port : "connector " + c;
            if (resumeToken != null && (resumeToken.isEmpty() || resumeToken.chars().anyMatch(ch -> ch <= ' '))) {
                throw new IllegalArgumentException("resumeToken must be non-empty and have no spaces or control characters");
            }
            return new ChatClient(new ClientSettings(c, description, name, token, resumeToken, listener, requestTimeout,
                    connectTimeout, closeTimeout, reconnect, reconnectBaseDelay, reconnectMaxDelay, idleTimeout,
                    maxQueuedEvents));
        }

        private static void positive(String setting, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(setting + " must be positive, was " + d);
            }
        }
    }
}
