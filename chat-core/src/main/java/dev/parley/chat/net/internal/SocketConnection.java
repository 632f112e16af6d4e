package dev.parley.chat.net.internal;

import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;

/**
 * A connection over a blocking {@link Socket}, optionally TLS. Used for TLS on the server side and for
 * every client-side TCP connection. Virtual threads park in its blocking calls without pinning.
 *
 * <p>TLS: the handshake runs lazily in the first {@code read} or {@code write} (on the connection's
 * own thread, never the accepting thread), bounded by the handshake timeout as an absolute deadline. A second handshake
 * (TLS 1.2 renegotiation) closes the connection, shortly after the JDK reports it (asynchronously).
 */
public final class SocketConnection implements Connection, HalfClose {
    private final Socket socket;
    private final Socket raw;
    private final InputStream in;
    private final OutputStream out;
    private final SocketAddress remote;
    private final String transportName;
    private final Runnable onClose;
    private final Duration handshakeTimeout;
    private final ReentrantLock handshakeLock = new ReentrantLock();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean handshaken;

    /**
     * A connection over this socket.
     *
     * @param socket the socket to read and write (an {@link SSLSocket} for TLS)
     * @param raw the plain socket under a layered {@code SSLSocket} (or {@code socket} itself): closing
     *     it first makes {@link #close()} immediate even while a TLS write is blocked
     */
    public SocketConnection(Socket socket, Socket raw, String transportName, Duration handshakeTimeout,
            Runnable onClose) throws IOException {
        this.socket = socket;
        this.raw = raw;
        this.transportName = transportName;
        this.onClose = onClose;
        this.handshakeTimeout = handshakeTimeout;
        this.remote = socket.getRemoteSocketAddress();
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        if (socket instanceof SSLSocket ssl) {
            ssl.addHandshakeCompletedListener(e -> {
                if (handshakes.incrementAndGet() > 1) {
                    // Renegotiation: refused by closing (TLS 1.3 has none; see docs/transports.md).
                    close();
                }
            });
        } else {
            handshaken = true;
        }
    }

    private void handshake() throws IOException {
        if (handshaken) {
            return;
        }
        handshakeLock.lock();
        try {
            if (handshaken) {
                return;
            }
            SSLSocket ssl = (SSLSocket) socket;
            int before = socket.getSoTimeout();
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, handshakeTimeout.toMillis())));
            // The socket timeout restarts with every byte; this deadline does not.
            AtomicBoolean expired = new AtomicBoolean();
            Deadlines.Deadline deadline = Deadlines.after(handshakeTimeout, "parley-tls-deadline", () -> {
                expired.set(true);
                close();
            });
            try {
                ssl.startHandshake();
            } catch (SocketTimeoutException e) {
                close();
                throw new IOException("TLS handshake timed out after " + handshakeTimeout.toMillis() + " ms", e);
            } catch (IOException e) {
                close();
                if (expired.get()) {
                    throw new IOException("TLS handshake not done within " + handshakeTimeout.toMillis() + " ms", e);
                }
                throw e;
            } finally {
                deadline.cancel();
            }
            socket.setSoTimeout(before);
            handshaken = true;
        } finally {
            handshakeLock.unlock();
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        handshake();
        return in.read(buffer, offset, length);
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        handshake();
        int total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        if (buffers.length == 1 && buffers[0].hasArray()) {
            ByteBuffer b = buffers[0];
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            b.position(b.limit());
        } else {
            // One write call: one TLS record / one syscall instead of one per frame.
            byte[] all = new byte[total];
            int at = 0;
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                b.get(all, at, n);
                at += n;
            }
            out.write(all, 0, total);
        }
        out.flush();
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (socket instanceof SSLSocket) {
            close(); // no half-close over TLS 1.2: a full close (close_notify) instead
        } else {
            socket.shutdownOutput();
        }
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            raw.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        if (socket != raw) {
            // Never wait here for a TLS close_notify: the raw socket is closed, this only tidies up.
            Thread.ofVirtual().start(() -> {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closed
                }
            });
        }
        onClose.run();
    }
}
