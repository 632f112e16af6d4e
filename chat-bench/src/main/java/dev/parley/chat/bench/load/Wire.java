package dev.parley.chat.bench.load;

/**
 * One server's protocol as the generator speaks it: what a client sends to join a room and to
 * publish, and how it reads what comes back. Implementations are stateless; per-connection state
 * lives in the {@link Client}. Everything runs on the generator's selector thread.
 */
public interface Wire {

    /** Short name for reports: {@code parley}, {@code redis}, {@code nats}, {@code mosquitto}. */
    String name();

    /**
     * Writes what a fresh connection sends: the handshake and the subscription to {@code room}.
     * The generator calls {@link Events#ready} once the server has confirmed the subscription.
     */
    void hello(String clientName, String room, Buf out);

    /** Writes one publication of {@code payload} to {@code room}. */
    void publish(String room, byte[] payload, Buf out);

    /**
     * Whether a publisher learns that the server took its message only from its own copy coming
     * back (NATS, MQTT QoS 0) rather than from a reply (Parley ACK, Redis PUBLISH's integer).
     */
    boolean confirmsByEcho();

    /**
     * Reads complete protocol units from {@code b[off, end)}, reporting them to {@code events}.
     * Replies the protocol requires (PONG) go to {@code client.out}.
     *
     * @return the index of the first byte not consumed (the start of an incomplete unit)
     */
    int parse(Client client, byte[] b, int off, int end, Events events);

    /** What a parser reports. */
    interface Events {
        /** The server confirmed the subscription (Parley JOINED, Redis subscribe, NATS PONG, MQTT SUBACK). */
        void ready(Client c);

        /** A published message arrived; {@code b[off, off+len)} is its payload. */
        void message(Client c, byte[] b, int off, int len);

        /** The server took one of this client's publications (Parley ACK, Redis PUBLISH reply). */
        void confirmed(Client c);

        /** A multi-frame reply ended (Parley END after HISTORY). */
        void endOfReply(Client c);

        /** The server reported an error, or said goodbye; {@code text} is for the report. */
        void serverError(Client c, String text);
    }
}
