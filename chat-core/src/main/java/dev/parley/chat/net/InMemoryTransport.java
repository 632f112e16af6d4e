package dev.parley.chat.net;

import dev.parley.chat.net.internal.MemoryConnection;
import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Connector;
import dev.parley.chat.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-process transport: clients {@link #connect()} without a socket. For tests and for clients that
 * live in the server's JVM (bots, bridges). Each instance is its own endpoint; nothing is shared
 * between instances.
 *
 * <pre>{@code
 * InMemoryTransport memory = InMemoryTransport.create();
 * ChatServer server = ChatServer.builder().listen(memory).store(store).build().start();
 * Connection c = memory.connect();   // or hand `memory` to a ChatClient as its Connector
 * }</pre>
 *
 * <p>Each direction buffers a fixed number of bytes (default 64 KiB), like a socket buffer: a peer
 * that does not read eventually makes the other side's writes wait. Remote addresses are unresolved
 * ({@code memory:N}), so per-address connection limits do not apply.
 */
public final class InMemoryTransport implements Transport, Connector {
    private final int bufferBytes;
    private final AtomicLong counter = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private MemoryBinding binding;

    private InMemoryTransport(int bufferBytes) {
        this.bufferBytes = bufferBytes;
    }

    /** A transport with 64 KiB buffered per direction. */
    public static InMemoryTransport create() {
        return create(64 * 1024);
    }

    /** A transport with {@code bufferBytes} (at least 1024) buffered per direction. */
    public static InMemoryTransport create(int bufferBytes) {
        if (bufferBytes < 1024) {
            throw new IllegalArgumentException("bufferBytes must be at least 1024, was " + bufferBytes);
        }
        return new InMemoryTransport(bufferBytes);
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Binding bind(Acceptor acceptor) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        lock.lock();
        try {
            if (binding != null) {
                throw new IOException("in-memory transport is already bound");
            }
            binding = new MemoryBinding(acceptor);
            return binding;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Opens a connection to the server bound to this transport. The server's side is handed to the
     * server on this thread; the returned end is the client's.
     *
     * @throws IOException if no server is bound (not started, or closed)
     */
    @Override
    public Connection connect() throws IOException {
        MemoryBinding b;
        lock.lock();
        try {
            b = binding;
        } finally {
            lock.unlock();
        }
        if (b == null) {
            throw new IOException("no server is bound to this in-memory transport");
        }
        long n = counter.incrementAndGet();
        MemoryConnection[] pair = MemoryConnection.pair(bufferBytes,
                InetSocketAddress.createUnresolved("memory", (int) (n % 65536)), b.localAddress(), name());
        b.acceptor.accept(pair[1]);
        return pair[0];
    }

    private final class MemoryBinding implements Binding {
        final Acceptor acceptor;
        private final SocketAddress local = InetSocketAddress.createUnresolved("memory", 0);

        MemoryBinding(Acceptor acceptor) {
            this.acceptor = acceptor;
        }

        @Override
        public SocketAddress localAddress() {
            return local;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (binding == this) {
                    binding = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
