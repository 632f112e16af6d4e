package dev.parley.chat.client.internal;

import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Connector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/** Opens plain TCP connections with a blocking {@link Socket} (fine on virtual threads). */
public final class SocketConnector implements Connector {
    private final String host;
    private final int port;
    private final Duration connectTimeout;

    /** A connector to {@code host:port} that gives up connecting after {@code connectTimeout}. */
    public SocketConnector(String host, int port, Duration connectTimeout) {
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public Connection connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            socket.setTcpNoDelay(true);
            return new SocketConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "tcp://" + host + ":" + port;
    }

    private static final class SocketConnection implements Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        SocketConnection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return in.read(buffer, offset, length);
        }

        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            int total = 0;
            for (ByteBuffer b : buffers) {
                total += b.remaining();
            }
            byte[] all = new byte[total];
            int at = 0;
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                b.get(all, at, n);
                at += n;
            }
            out.write(all);
            out.flush();
        }

        @Override
        public SocketAddress remoteAddress() {
            return socket.getRemoteSocketAddress();
        }

        @Override
        public String transportName() {
            return "tcp";
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway; nothing to do
            }
        }
    }
}
