package dev.parley.chat.net.internal;

import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One end of an in-process connection: reads from one {@link MemoryPipe}, writes to the other.
 * Closing either end closes both pipes, so the peer reads end of stream and its writes fail.
 */
public final class MemoryConnection implements Connection, NonBlockingWrite, HalfClose {
    private final MemoryPipe in;
    private final MemoryPipe out;
    private final SocketAddress remote;
    private final String transportName;
    private volatile boolean closed;

    private MemoryConnection(MemoryPipe in, MemoryPipe out, SocketAddress remote, String transportName) {
        this.in = in;
        this.out = out;
        this.remote = remote;
        this.transportName = transportName;
    }

    /**
     * A connected pair: element 0 is the client's end, element 1 the server's.
     *
     * @param bufferBytes how many bytes each direction holds before a writer waits
     */
    public static MemoryConnection[] pair(int bufferBytes, SocketAddress clientAddress, SocketAddress serverAddress,
            String transportName) {
        MemoryPipe toServer = new MemoryPipe(bufferBytes);
        MemoryPipe toClient = new MemoryPipe(bufferBytes);
        return new MemoryConnection[] {
            new MemoryConnection(toClient, toServer, serverAddress, transportName),
            new MemoryConnection(toServer, toClient, clientAddress, transportName)
        };
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        return in.read(buffer, offset, length);
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        out.write(buffers);
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                throw new IOException("connection closed");
            }
        }
    }

    @Override
    public long tryWrite(ByteBuffer[] buffers) throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        return out.tryWrite(buffers);
    }

    @Override
    public void shutdownOutput() {
        out.close();
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String transportName() {
        return transportName;
    }

    @Override
    public void close() {
        closed = true;
        in.close();
        out.close();
    }
}
