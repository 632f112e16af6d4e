package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Connector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw protocol client for tests: a background virtual thread decodes frames into a queue; tests
 * take them with a timeout. {@link #closed()} tells when the server closed the connection.
 */
final class TestClient implements AutoCloseable {
    static final long WAIT_SECONDS = 10;
    private static final Frame EOF = Frame.of("EOF_MARKER");

    private final Connection connection;
    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private volatile boolean eof;
    /** Answer the server's PINGs from the reader thread, like a real client. */
    volatile boolean autoPong;
    private final Thread reader;

    TestClient(Connection connection) {
        this.connection = connection;
        this.reader = Thread.ofVirtual().start(this::readLoop);
    }

    static TestClient tcp(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return new TestClient(new SocketAdapter(socket));
    }

    static TestClient over(Connector connector) throws IOException {
        return new TestClient(connector.connect());
    }

    /** Connects and registers; fails the test unless WELCOME arrives. */
    static TestClient hello(int port, String name) throws IOException, InterruptedException {
        TestClient c = tcp(port);
        c.send("HELLO proto=1 name=" + name);
        c.expect("WELCOME");
        return c;
    }

    private void readLoop() {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        byte[] buf = new byte[16384];
        try {
            while (true) {
                int n = connection.read(buf, 0, buf.length);
                if (n < 0) {
                    break;
                }
                decoder.decode(buf, 0, n, new FrameDecoder.Sink() {
                    @Override
                    public void frame(Frame frame) {
                        if (autoPong && frame.verb().equals("PING")) {
                            try {
                                send(Frame.of("PONG").with("token", frame.field("token")));
                            } catch (IOException e) {
                                // closed
                            }
                        }
                        frames.add(frame);
                    }

                    @Override
                    public void error(ProtocolException error) {
                        frames.add(Frame.of("BAD_LINE_FROM_SERVER").text(error.getMessage()));
                    }
                });
            }
        } catch (IOException e) {
            // closed
        } finally {
            eof = true;
            frames.add(EOF);
            connection.close(); // like a real client: close once the server has ended the stream
        }
    }

    void send(String line) throws IOException {
        connection.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    void send(Frame f) throws IOException {
        connection.write(ByteBuffer.wrap(FrameEncoder.encode(f)));
    }

    void sendRaw(byte[] bytes) throws IOException {
        connection.write(ByteBuffer.wrap(bytes));
    }

    /** The next frame, failing after the timeout or at end of stream. */
    Frame next() throws InterruptedException {
        Frame f = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (f == null) {
            fail("no frame within " + WAIT_SECONDS + " s");
        }
        if (f == EOF) {
            frames.add(EOF);
            fail("connection closed while waiting for a frame");
        }
        return f;
    }

    /** The next frame, or {@code null} at end of stream; fails after the timeout. */
    Frame nextOrEnd() throws InterruptedException {
        Frame f = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (f == null) {
            fail("no frame within " + WAIT_SECONDS + " s");
        }
        if (f == EOF) {
            frames.add(EOF);
            return null;
        }
        return f;
    }

    /** The next frame, which must have this verb. */
    Frame expect(String verb) throws InterruptedException {
        Frame f = next();
        assertEquals(verb, f.verb(), () -> "got " + f);
        return f;
    }

    /** Skips frames until one matches; fails on timeout. */
    Frame await(Predicate<Frame> p) throws InterruptedException {
        while (true) {
            Frame f = next();
            if (p.test(f)) {
                return f;
            }
        }
    }

    Frame awaitVerb(String verb) throws InterruptedException {
        return await(f -> f.verb().equals(verb));
    }

    /** Reads frames up to and including END. */
    List<Frame> untilEnd() throws InterruptedException {
        List<Frame> out = new ArrayList<>();
        while (true) {
            Frame f = next();
            out.add(f);
            if (f.verb().equals("END")) {
                return out;
            }
        }
    }

    /** Waits for the server to close the connection, returning every frame that came before. */
    List<Frame> awaitClose() throws InterruptedException {
        List<Frame> out = new ArrayList<>();
        while (true) {
            Frame f = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (f == null) {
                fail("connection not closed within " + WAIT_SECONDS + " s; got " + out);
            }
            if (f == EOF) {
                frames.add(EOF);
                return out;
            }
            out.add(f);
        }
    }

    boolean closed() {
        return eof;
    }

    /** Frames already received and not yet taken. */
    List<Frame> drainNow() {
        List<Frame> out = new ArrayList<>();
        frames.drainTo(out);
        out.removeIf(f -> f == EOF);
        if (eof) {
            frames.add(EOF);
        }
        return out;
    }

    @Override
    public void close() {
        connection.close();
    }

    /** A blocking socket as a Connection (the test's own, independent of the server's transports). */
    static final class SocketAdapter implements Connection {
        private final Socket socket;

        SocketAdapter(Socket socket) {
            this.socket = socket;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return socket.getInputStream().read(buffer, offset, length);
        }

        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            for (ByteBuffer b : buffers) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                socket.getOutputStream().write(a); // unbuffered: no flush needed
            }
        }

        @Override
        public java.net.SocketAddress remoteAddress() {
            return socket.getRemoteSocketAddress();
        }

        @Override
        public String transportName() {
            return "test";
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }
}
