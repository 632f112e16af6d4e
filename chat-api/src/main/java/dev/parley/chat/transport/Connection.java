package dev.parley.chat.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A bidirectional byte stream to one peer, carrying protocol lines.
 *
 * <p>Threads: one thread reads, at most one thread writes at a time, and {@link #close()} may be
 * called from any thread at any time; it must unblock a blocked {@code read} or {@code write}
 * (which then throw or return -1). Reads and writes block; callers are virtual threads.
 *
 * <p>A message-based transport (WebSocket) maps its messages to lines: each incoming text message
 * reads as its bytes followed by LF, and written bytes are split at LF into one message per line.
 */
public interface Connection extends Closeable {

    /**
     * Reads at least one byte, blocking until some arrive.
     *
     * @return the number of bytes read, or -1 at the end of the stream
     * @throws IOException if the connection failed or was closed
     */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /**
     * Writes all remaining bytes of the buffers, in order, blocking until the transport has taken them.
     * Implementations should hand them to the OS in as few calls as possible (a gathering write).
     *
     * @throws IOException if the connection failed or was closed
     */
    void write(ByteBuffer... buffers) throws IOException;

    /** The peer's address (for per-address limits and logs); an in-memory transport invents one. */
    SocketAddress remoteAddress();

    /** The name of the transport that made it, as {@link Transport#name()}. */
    String transportName();

    /** Closes the connection at once, unblocking any reader or writer. Idempotent, any thread. */
    @Override
    void close();
}
