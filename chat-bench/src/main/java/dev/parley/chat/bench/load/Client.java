package dev.parley.chat.bench.load;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One simulated user: a non-blocking socket and its protocol state. Owned by the generator's
 * selector thread; nothing here is thread safe.
 */
public final class Client {
    /** What the client does once subscribed. */
    public enum Mode {
        /** Only receives. */
        LISTEN,
        /** Publishes as fast as the server confirms, keeping at most {@code maxInFlight} unconfirmed. */
        FLOOD,
        /** Publishes at a fixed rate, whatever the server does (open loop). */
        PACED,
        /** Sends one request (Parley HISTORY) at a time and times the reply (closed loop). */
        REQUEST
    }

    final int index;
    final String name;
    final String room;
    final Mode mode;
    /** The server this client connects to; {@code null}: the generator's. */
    final java.net.InetSocketAddress server;
    final byte[] payload;
    final Buf out = new Buf(256);

    SocketChannel channel;
    SelectionKey key;
    boolean connected;
    boolean ready;
    boolean closed;
    boolean writeInterest;
    boolean dirty;
    /** Unparsed tail of the last read (an incomplete frame). */
    byte[] carry;
    int carryLength;
    int inFlight;
    /** Other members of the room: deliveries each publication should cause. */
    int peers;
    long requestStart;

    Client(int index, String name, String room, Mode mode, int payloadSize) {
        this(index, name, room, mode, payloadSize, null);
    }

    Client(int index, String name, String room, Mode mode, int payloadSize, java.net.InetSocketAddress server) {
        this.index = index;
        this.name = name;
        this.room = room;
        this.mode = mode;
        this.server = server;
        this.payload = mode == Mode.FLOOD || mode == Mode.PACED ? Payload.template(payloadSize, index) : null;
    }

    /** The client's index; senders put it into each payload. */
    public int index() {
        return index;
    }

    /** Bytes queued for this client's socket; protocol adapters append replies (PONG) here. */
    public Buf out() {
        return out;
    }

    public String room() {
        return room;
    }

    public Mode mode() {
        return mode;
    }

    public boolean isReady() {
        return ready;
    }
}
