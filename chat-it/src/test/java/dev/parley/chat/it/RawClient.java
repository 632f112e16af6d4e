package dev.parley.chat.it;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * A protocol client that speaks raw lines over a real socket, so tests can send anything at all
 * (broken UTF-8, half frames, floods) and look at exactly what the server answered.
 *
 * <p>A virtual thread reads and decodes everything the server sends into a list of unread frames;
 * {@link #next(Predicate)} takes the first matching one, waiting up to {@link #WAIT}. Frames may be taken
 * out of order (a reply by its {@code ref}, then the broadcasts around it).
 */
final class RawClient implements AutoCloseable {
    /** How long any single wait may take before the test fails. Generous: CI shares 2 cores. */
    static final Duration WAIT = Duration.ofSeconds(20);

    private final Socket socket;
    private final OutputStream out;
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
    private final String label;

    private RawClient(Socket socket, boolean read, String label) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.label = label;
        if (read) {
            InputStream in = socket.getInputStream();
            Thread.ofVirtual().name("raw-client-" + label).start(() -> readLoop(in));
        }
    }

    /** Connects to 127.0.0.1:port and starts reading. */
    static RawClient connect(int port) {
        return connect(port, true, "c");
    }

    /** Connects with a label that shows up in failure messages. */
    static RawClient connect(int port, String label) {
        return connect(port, true, label);
    }

    /**
     * Connects; with {@code read == false} nothing is ever read from the socket (a client that never
     * reads, for slow-consumer tests), with a small receive buffer so the server's writes back up soon.
     */
    static RawClient connect(int port, boolean read, String label) {
        try {
            Socket s = new Socket();
            if (!read) {
                s.setReceiveBufferSize(4096);
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setTcpNoDelay(true);
            return new RawClient(s, read, label);
        } catch (IOException e) {
            throw new UncheckedIOException("connect to port " + port, e);
        }
    }

    /** Wraps an already connected socket (a TLS socket, for example) and starts reading. */
    static RawClient over(Socket socket, String label) {
        try {
            return new RawClient(socket, true, label);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readLoop(InputStream in) {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override
            public void frame(Frame frame) {
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
            while ((n = in.read(buf)) > 0) {
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

    /** Sends one line; the LF is added. */
    RawClient send(String line) {
        return sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends bytes exactly as given. */
    RawClient sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(label + ": write failed", e);
        }
    }

    /** Sends bytes, reporting instead of throwing when the server has already closed. */
    boolean trySendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A fresh ref token. */
    String ref() {
        return label + "-" + refs.incrementAndGet();
    }

    /** Adds {@code ref=} to a request line (before its text, if any). */
    static String withRef(String line, String ref) {
        int text = line.indexOf(" :");
        return text < 0 ? line + " ref=" + ref : line.substring(0, text) + " ref=" + ref + line.substring(text);
    }

    /** Sends a request with a fresh ref and returns the first frame that carries that ref. */
    Frame call(String line) {
        String ref = ref();
        send(withRef(line, ref));
        return reply(ref);
    }

    /** Sends a request with a fresh ref and returns every frame with that ref up to END or ERROR. */
    List<Frame> callAll(String line) {
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

    /** The next frame with this ref. */
    Frame reply(String ref) {
        return next(f -> ref.equals(f.field("ref")), "frame with ref=" + ref);
    }

    /** Asserts the request is answered with {@code ERROR code=<code>} and returns it. */
    Frame expectError(String line, String code) {
        Frame f = call(line);
        if (!f.verb().equals("ERROR") || !code.equals(f.field("code"))) {
            throw new AssertionError(label + ": expected ERROR code=" + code + " for [" + line + "], got " + f);
        }
        return f;
    }

    /** HELLO with this name; asserts WELCOME. */
    RawClient hello(String name) {
        Frame f = call("HELLO proto=1 name=" + name);
        if (!f.verb().equals("WELCOME")) {
            throw new AssertionError(label + ": HELLO " + name + " answered " + f);
        }
        return this;
    }

    /** JOIN; asserts JOINED and returns it (replayed MSGs follow without ref). */
    Frame join(String room) {
        Frame f = call("JOIN room=" + room);
        if (!f.verb().equals("JOINED")) {
            throw new AssertionError(label + ": JOIN " + room + " answered " + f);
        }
        return f;
    }

    /** The next unread frame with this verb. */
    Frame next(String verb) {
        return next(f -> f.verb().equals(verb), verb);
    }

    /** The next unread frame that matches, waiting up to {@link #WAIT}. */
    Frame next(Predicate<Frame> match) {
        return next(match, "matching frame");
    }

    Frame next(Predicate<Frame> match, String what) {
        Frame f = poll(match, WAIT);
        if (f == null) {
            throw new AssertionError(label + ": no " + what + " within " + WAIT + "; closed=" + isClosed()
                    + ", unread=" + describe(unreadCopy()));
        }
        return f;
    }

    /** The next unread frame that matches, or null after the timeout. */
    Frame poll(Predicate<Frame> match, Duration timeout) {
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
                if (left <= 0) {
                    return null;
                }
                if (closed) {
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

    /** Waits until the server closed the connection (EOF or reset); false if it did not within the timeout. */
    boolean awaitClosed(Duration timeout) {
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
    void assertClosed() {
        if (!awaitClosed(WAIT)) {
            throw new AssertionError(label + ": server did not close the connection within " + WAIT);
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Every frame received so far, in order. */
    List<Frame> received() {
        lock.lock();
        try {
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    List<Frame> unreadCopy() {
        lock.lock();
        try {
            return List.copyOf(unread);
        } finally {
            lock.unlock();
        }
    }

    /** Lines from the server that did not decode (there should be none). */
    List<ProtocolException> badLines() {
        lock.lock();
        try {
            return List.copyOf(badLines);
        } finally {
            lock.unlock();
        }
    }

    long bytesRead() {
        lock.lock();
        try {
            return bytesRead;
        } finally {
            lock.unlock();
        }
    }

    Socket socket() {
        return socket;
    }

    /** Closes without QUIT (an abrupt disconnect). */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Sends a TCP reset instead of a FIN: the peer sees the connection die, not end. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway
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

    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + WAIT + ": " + what);
            }
            // A condition we cannot be signalled about (a counter in the server): re-check briefly.
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
