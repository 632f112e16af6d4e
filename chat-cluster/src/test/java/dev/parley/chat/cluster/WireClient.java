package dev.parley.chat.cluster;

import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.ServerMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One raw protocol connection, as a client written from PROTOCOL.md would hold it: lines out, typed
 * frames in ({@link ServerMessage}). Every frame received is kept, with when it arrived, for the
 * {@link Checker}; {@link #await} takes frames from an inbox in order. A server PING is answered.
 */
final class WireClient implements AutoCloseable {
    /** A frame as received: when (this JVM's monotonic clock), and what. */
    record Received(long nanos, ServerMessage message) {
    }

    final String label;
    final int node;
    private final Socket socket;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock logLock = new ReentrantLock();
    /** Guarded by logLock. */
    private final List<Received> log = new ArrayList<>();
    private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Consumer<Received> observer;
    private volatile long endedAt;

    private WireClient(String label, int node, Socket socket, Consumer<Received> observer) throws IOException {
        this.label = label;
        this.node = node;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.observer = observer;
        Thread.ofVirtual().name("wire-" + label).start(this::read);
    }

    /** Connects to a node's TCP port on localhost. */
    static WireClient connect(String label, int node, int port, Consumer<Received> observer) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setTcpNoDelay(true);
        return new WireClient(label, node, s, observer);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    continue;
                }
                ServerMessage m = ServerMessage.parse(FrameDecoder.parseLine(line));
                Received r = new Received(System.nanoTime(), m);
                logLock.lock();
                try {
                    log.add(r);
                } finally {
                    logLock.unlock();
                }
                if (observer != null) {
                    observer.accept(r);
                }
                inbox.add(r);
                if (m instanceof ServerMessage.Ping p) {
                    send(p.token() == null ? "PONG" : "PONG token=" + p.token());
                }
            }
        } catch (IOException e) {
            // the connection ended
        } finally {
            endedAt = System.nanoTime();
            ended.countDown();
        }
    }

    /** Sends one line (LF added). A connection that is gone swallows it (the reader sees the end). */
    void send(String line) {
        writeLock.lock();
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // gone: the reader thread notices
        } finally {
            writeLock.unlock();
        }
    }

    /** The next frame (from the inbox, in order) that matches, skipping others; fails after the timeout. */
    @SuppressWarnings("unchecked")
    <T extends ServerMessage> T await(Class<T> type, Predicate<T> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
            if (r == null) {
                throw new AssertionError(label + ": no " + type.getSimpleName() + " as expected within " + timeout
                        + (ended() ? " (connection ended)" : "") + "; received: " + frames());
            }
            if (type.isInstance(r.message()) && match.test((T) r.message())) {
                return (T) r.message();
            }
        }
    }

    <T extends ServerMessage> T await(Class<T> type, Predicate<T> match) throws InterruptedException {
        return await(type, match, Duration.ofSeconds(30));
    }

    /** Every frame received so far. */
    List<Received> frames() {
        logLock.lock();
        try {
            return List.copyOf(log);
        } finally {
            logLock.unlock();
        }
    }

    boolean ended() {
        return ended.getCount() == 0;
    }

    /** When the connection ended (this JVM's monotonic clock), 0 if it has not. */
    long endedAt() {
        return endedAt;
    }

    /** Waits until the server closed the connection. */
    void awaitEnd(Duration timeout) throws InterruptedException {
        if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(label + ": still open after " + timeout);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return label + "@node" + node;
    }
}
