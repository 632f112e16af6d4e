package dev.parley.chat.testing;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.transport.Connection;
import dev.parley.chat.transport.Connector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The one raw protocol client of Parley's tests (chat-core and, through chat-core's test jar,
 * chat-it): it sends lines or bytes exactly as given (broken UTF-8, half frames, floods) and shows
 * exactly what the server answered.
 *
 * <p>A virtual thread reads and decodes everything the server sends into a list of unread frames.
 * Two ways to take them, each waiting up to {@link #WAIT}:
 * <ul>
 *   <li>in order: {@link #next()}, {@link #expect(String)}, {@link #await(Predicate)} (which drops the
 *       frames before the match), {@link #untilEnd()}, {@link #awaitClose()};</li>
 *   <li>by match, leaving the others unread: {@link #next(Predicate)}, {@link #next(String)},
 *       {@link #reply(String)}, {@link #call(String)} (a request with a fresh ref, and its answer).</li>
 * </ul>
 * Like a real client it closes its end once the server has ended the stream, and with
 * {@link #autoPong} it answers the server's PINGs from the reader.
 */
public final class RawClient implements AutoCloseable {
    /** How long any single wait may take before the test fails. Generous: CI shares 2 cores. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final Connection connection;
    private final Socket socket;
    private final String label;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock. */
    private final LinkedList<Frame> unread = new LinkedList<>();
    /** Guarded by lock. */
    private final List<Frame> all = new ArrayList<>();
    /** Guarded by lock. */
    private final List<ProtocolException> badLines = new ArrayList<>();
    /** Guarded by lock. */
    private boolean closed;
    /** Guarded by lock. */
    private long bytesRead;
    private final AtomicLong refs = new AtomicLong();
    /** Answer the server's PINGs from the reader thread, like a real client. */
    public volatile boolean autoPong;

    private RawClient(Connection connection, Socket socket, boolean read, String label) {
        this.connection = connection;
        this.socket = socket;
        this.label = label;
        if (read) {
            Thread.ofVirtual().name("raw-client-" + label).start(this::readLoop);
        }
    }

    // ---------------------------------------------------------------- connecting

    /** Connects to 127.0.0.1:port and starts reading. */
    public static RawClient connect(int port) {
        return connect(port, true, "c");
    }

    /** Connects with a label that shows up in failure messages. */
    public static RawClient connect(int port, String label) {
        return connect(port, true, label);
    }

    /**
     * Connects; with {@code read == false} nothing is ever read from the socket (a client that never
     * reads, for slow-consumer tests), with a small receive buffer so the server's writes back up soon.
     */
    public static RawClient connect(int port, boolean read, String label) {
        try {
            Socket s = new Socket();
            if (!read) {
                s.setReceiveBufferSize(4096);
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setTcpNoDelay(true);
            return new RawClient(new SocketConnection(s), s, read, label);
        } catch (IOException e) {
            throw new UncheckedIOException("connect to port " + port, e);
        }
    }

    /** {@link #connect(int)}. */
    public static RawClient tcp(int port) {
        return connect(port);
    }

    /** Connects and registers; fails the test unless WELCOME arrives. */
    public static RawClient hello(int port, String name) {
        RawClient c = connect(port, name);
        c.send("HELLO proto=1 name=" + name);
        c.expect("WELCOME");
        return c;
    }

    /** Wraps an already connected socket (a TLS socket, for example) and starts reading. */
    public static RawClient over(Socket socket, String label) {
        return new RawClient(new SocketConnection(socket), socket, true, label);
    }

    /** Connects through a transport's connector (in-memory, WebSocket, ...) and starts reading. */
    public static RawClient over(Connector connector) {
        try {
            return new RawClient(connector.connect(), null, true, "c");
        } catch (IOException e) {
            throw new UncheckedIOException("connect", e);
        }
    }

    private void readLoop() {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override
            public void frame(Frame frame) {
                if (autoPong && frame.verb().equals("PING")) {
                    trySend(Frame.of("PONG").with("token", frame.field("token")));
                }
                lock.lock();
                try {
                    unread.add(frame);
                    all.add(frame);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void error(ProtocolException error) {
                lock.lock();
                try {
                    badLines.add(error);
                } finally {
                    lock.unlock();
                }
            }
        };
        byte[] buf = new byte[16384];
        try {
            int n;
            while ((n = connection.read(buf, 0, buf.length)) >= 0) {
                lock.lock();
                try {
                    bytesRead += n;
                } finally {
                    lock.unlock();
                }
                decoder.decode(buf, 0, n, sink);
            }
        } catch (IOException e) {
            // reset or closed: the same as EOF for these tests
        } finally {
            // Like any client, close our end once the server's has ended: a server that half-closes
            // after BYE waits for this FIN (up to its drain timeout).
            close();
            lock.lock();
            try {
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- sending

    /** Sends one line; the LF is added. */
    public RawClient send(String line) {
        return sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one frame, encoded. */
    public RawClient send(Frame f) {
        return sendBytes(FrameEncoder.encode(f));
    }

    /** Sends bytes exactly as given. */
    public RawClient sendBytes(byte[] bytes) {
        try {
            connection.write(ByteBuffer.wrap(bytes));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(label + ": write failed", e);
        }
    }

    /** {@link #sendBytes}. */
    public RawClient sendRaw(byte[] bytes) {
        return sendBytes(bytes);
    }

    /** Sends bytes, reporting instead of throwing when the server has already closed. */
    public boolean trySendBytes(byte[] bytes) {
        try {
            connection.write(ByteBuffer.wrap(bytes));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void trySend(Frame f) {
        trySendBytes(FrameEncoder.encode(f));
    }

    /** A fresh ref token. */
    public String ref() {
        return label + "-" + refs.incrementAndGet();
    }

    /** Adds {@code ref=} to a request line (before its text, if any). */
    public static String withRef(String line, String ref) {
        int text = line.indexOf(" :");
        return text < 0 ? line + " ref=" + ref : line.substring(0, text) + " ref=" + ref + line.substring(text);
    }

    /** Sends a request with a fresh ref and returns the first frame that carries that ref. */
    public Frame call(String line) {
        String ref = ref();
        send(withRef(line, ref));
        return reply(ref);
    }

    /** Sends a request with a fresh ref and returns every frame with that ref up to END or ERROR. */
    public List<Frame> callAll(String line) {
        String ref = ref();
        send(withRef(line, ref));
        List<Frame> frames = new ArrayList<>();
        while (true) {
            Frame f = reply(ref);
            frames.add(f);
            if (f.verb().equals("END") || f.verb().equals("ERROR")) {
                return frames;
            }
        }
    }

    /** Asserts the request is answered with {@code ERROR code=<code>} and returns it. */
    public Frame expectError(String line, String code) {
        Frame f = call(line);
        if (!f.verb().equals("ERROR") || !code.equals(f.field("code"))) {
            throw new AssertionError(label + ": expected ERROR code=" + code + " for [" + line + "], got " + f);
        }
        return f;
    }

    /** HELLO with this name; asserts WELCOME. */
    public RawClient hello(String name) {
        Frame f = call("HELLO proto=1 name=" + name);
        if (!f.verb().equals("WELCOME")) {
            throw new AssertionError(label + ": HELLO " + name + " answered " + f);
        }
        return this;
    }

    /** JOIN; asserts JOINED and returns it (replayed MSGs follow without ref). */
    public Frame join(String room) {
        Frame f = call("JOIN room=" + room);
        if (!f.verb().equals("JOINED")) {
            throw new AssertionError(label + ": JOIN " + room + " answered " + f);
        }
        return f;
    }

    // ---------------------------------------------------------------- taking frames in order

    /** The next unread frame, failing after {@link #WAIT} or at end of stream. */
    public Frame next() {
        Frame f = poll(x -> true, WAIT);
        if (f == null) {
            throw new AssertionError(label + ": no frame within " + WAIT + "; closed=" + isClosed());
        }
        return f;
    }

    /** The next unread frame, or {@code null} at end of stream; fails after {@link #WAIT}. */
    public Frame nextOrEnd() {
        Frame f = poll(x -> true, WAIT);
        if (f == null && !isClosed()) {
            throw new AssertionError(label + ": no frame within " + WAIT);
        }
        return f;
    }

    /** The next frame, which must have this verb. */
    public Frame expect(String verb) {
        Frame f = next();
        if (!f.verb().equals(verb)) {
            throw new AssertionError(label + ": expected " + verb + ", got " + f);
        }
        return f;
    }

    /** Takes frames in order until one matches (dropping those before it). */
    public Frame await(Predicate<Frame> p) {
        while (true) {
            Frame f = next();
            if (p.test(f)) {
                return f;
            }
        }
    }

    /** Takes frames in order until one has this verb. */
    public Frame awaitVerb(String verb) {
        return await(f -> f.verb().equals(verb));
    }

    /** Takes frames in order up to and including END. */
    public List<Frame> untilEnd() {
        List<Frame> out = new ArrayList<>();
        while (true) {
            Frame f = next();
            out.add(f);
            if (f.verb().equals("END")) {
                return out;
            }
        }
    }

    /** Waits for the server to close the connection, returning every unread frame that came before. */
    public List<Frame> awaitClose() {
        if (!awaitClosed(WAIT)) {
            throw new AssertionError(label + ": connection not closed within " + WAIT + "; got " + unreadCopy());
        }
        return drainNow();
    }

    /** The unread frames received so far, taken. */
    public List<Frame> drainNow() {
        lock.lock();
        try {
            List<Frame> out = new ArrayList<>(unread);
            unread.clear();
            return out;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- taking frames by match

    /** The next unread frame with this ref. */
    public Frame reply(String ref) {
        return next(f -> ref.equals(f.field("ref")), "frame with ref=" + ref);
    }

    /** The first unread frame with this verb (others stay unread). */
    public Frame next(String verb) {
        return next(f -> f.verb().equals(verb), verb);
    }

    /** The first unread frame that matches (others stay unread), waiting up to {@link #WAIT}. */
    public Frame next(Predicate<Frame> match) {
        return next(match, "matching frame");
    }

    public Frame next(Predicate<Frame> match, String what) {
        Frame f = poll(match, WAIT);
        if (f == null) {
            throw new AssertionError(label + ": no " + what + " within " + WAIT + "; closed=" + isClosed()
                    + ", unread=" + describe(unreadCopy()));
        }
        return f;
    }

    /** The first unread frame that matches, or null after the timeout or once the stream ended. */
    public Frame poll(Predicate<Frame> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Iterator<Frame> it = unread.iterator(); it.hasNext(); ) {
                    Frame f = it.next();
                    if (match.test(f)) {
                        it.remove();
                        return f;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return null;
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the connection

    /** Waits until the server closed the connection (EOF or reset); false if it did not within the timeout. */
    public boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Asserts the server closes the connection within {@link #WAIT}. */
    public void assertClosed() {
        if (!awaitClosed(WAIT)) {
            throw new AssertionError(label + ": server did not close the connection within " + WAIT);
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Every frame received so far, in order. */
    public List<Frame> received() {
        lock.lock();
        try {
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    public List<Frame> unreadCopy() {
        lock.lock();
        try {
            return List.copyOf(unread);
        } finally {
            lock.unlock();
        }
    }

    /** Lines from the server that did not decode (there should be none). */
    public List<ProtocolException> badLines() {
        lock.lock();
        try {
            return List.copyOf(badLines);
        } finally {
            lock.unlock();
        }
    }

    public long bytesRead() {
        lock.lock();
        try {
            return bytesRead;
        } finally {
            lock.unlock();
        }
    }

    /** The socket, for a client made by {@link #connect} or {@link #over(Socket, String)}; else null. */
    public Socket socket() {
        return socket;
    }

    /** Closes without QUIT (an abrupt disconnect). */
    @Override
    public void close() {
        connection.close();
    }

    /** Sends a TCP reset instead of a FIN: the peer sees the connection die, not end. */
    public void reset() {
        if (socket != null) {
            try {
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // closing anyway
            }
        }
        close();
    }

    private static String describe(List<Frame> frames) {
        StringBuilder sb = new StringBuilder("[");
        int n = 0;
        for (Frame f : frames) {
            if (n++ == 10) {
                sb.append(" ... ").append(frames.size() - 10).append(" more");
                break;
            }
            sb.append(n > 1 ? ", " : "").append(f);
        }
        return sb.append(']').toString();
    }

    /** Waits for a condition nobody can signal (a counter in the server), re-checking briefly. */
    public static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + WAIT + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** A blocking socket as a {@link Connection} (the test's own, independent of the server's transports). */
    private static final class SocketConnection implements Connection {
        private final Socket socket;

        SocketConnection(Socket socket) {
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
        public SocketAddress remoteAddress() {
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
