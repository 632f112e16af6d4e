package dev.parley.chat.net.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An optional capability of a {@link dev.parley.chat.transport.Connection}: a write that never blocks.
 * The server writes a frame directly from the sender's thread only to connections that have it;
 * everything else goes through the connection's writer thread. Not exported.
 */
public interface NonBlockingWrite {

    /**
     * Writes as many of the remaining bytes as the transport takes right now, without waiting.
     * Called only by the connection's current writer (never concurrently with {@code write}).
     *
     * @return the number of bytes taken, possibly 0
     * @throws IOException if the connection failed or was closed
     */
    long tryWrite(ByteBuffer[] buffers) throws IOException;

    /**
     * Whether the calling thread is the poller of this connection and will still read the connection
     * in its current round: a write to it can then wait for the end of the round
     * ({@link Poller#atRoundEnd}) and go out in one call with the replies to that read.
     */
    default boolean readLaterThisRound() {
        return false;
    }
}
