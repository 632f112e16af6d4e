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
}
