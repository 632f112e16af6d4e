package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the server's frame dispatch: fuzzed bytes, in fuzzed chunks, on an in-memory connection
 * (optionally registered and in a room first). Invariants: the server never fails internally (no
 * {@code ERROR code=INTERNAL}, no WARN/ERROR log with an exception, no uncaught exception), the
 * connection never stalls (a final PING is answered or the server closed it with a reason), and a fresh
 * client is served afterwards.
 *
 * <p>Regression mode in CI (seeds under {@code src/test/resources/dev/parley/chat/it/ServerDispatchFuzzTestInputs});
 * fuzzing: {@code JAZZER_FUZZ=1 mvn verify -pl chat-it -am -Dtest=ServerDispatchFuzzTest}.
 */
class ServerDispatchFuzzTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final AtomicLong NAMES = new AtomicLong();
    private static final AtomicReference<Throwable> UNCAUGHT = new AtomicReference<>();
    private static InMemoryTransport memory;
    private static ChatServer server;
    private static LogCapture logs;

    @BeforeAll
    static void start() {
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> UNCAUGHT.compareAndSet(null, e));
        logs = new LogCapture();
        memory = InMemoryTransport.create();
        server = ChatServer.builder()
                .listen(memory)
                .store(InMemoryMessageStore.withRetention(1000))
                .rateLimit(1_000_000, 1_000_000)
                .maxLineLength(1024)
                .maxTextLength(512)
                .maxDiscardedLine(8192)
                .handshakeTimeout(Duration.ofMinutes(10))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
        logs.close();
    }

    @FuzzTest(maxDuration = "30m")
    void dispatch(FuzzedDataProvider data) throws Exception {
        boolean register = data.consumeBoolean();
        boolean join = data.consumeBoolean();
        int chunks = data.consumeInt(1, 8);
        byte[][] parts = new byte[chunks][];
        for (int i = 0; i < chunks - 1; i++) {
            parts[i] = data.consumeBytes(data.consumeInt(0, 256));
        }
        parts[chunks - 1] = data.consumeRemainingAsBytes();

        try (MemClient c = new MemClient(memory.connect())) {
            String name = "f" + NAMES.incrementAndGet();
            if (register) {
                c.write("HELLO proto=1 name=" + name + " ref=h\n");
                c.await(f -> "h".equals(f.field("ref")), "WELCOME");
                if (join) {
                    c.write("JOIN room=fz ref=j\n");
                    c.await(f -> "j".equals(f.field("ref")), "JOINED");
                }
            }
            for (byte[] part : parts) {
                if (!c.tryWrite(part)) {
                    break; // the server closed it: fine, as long as it said why (checked below)
                }
            }
            // End whatever line is open, then a PING that must be answered unless the server closed.
            if (c.tryWrite("\nPING ref=fuzz-end\n".getBytes(StandardCharsets.US_ASCII))) {
                c.awaitPongOrClose();
            } else {
                c.awaitClose();
            }
            for (Frame f : c.frames) {
                if ("INTERNAL".equals(f.field("code"))) {
                    fail("server fault: " + f);
                }
            }
        }
        // A fresh client is served.
        try (MemClient fresh = new MemClient(memory.connect())) {
            fresh.write("PING ref=fresh\n");
            fresh.await(f -> "fresh".equals(f.field("ref")), "PONG for a fresh client");
        }
        // Everything logged since the last input's check: late lines of that one count here too.
        for (ILoggingEvent e : logs.drain()) {
            if (e.getLevel().isGreaterOrEqual(Level.WARN) && e.getThrowableProxy() != null) {
                fail("server logged a failure: " + e.getFormattedMessage() + " " + e.getThrowableProxy().getClassName()
                        + ": " + e.getThrowableProxy().getMessage());
            }
        }
        Throwable t = UNCAUGHT.get();
        if (t != null) {
            throw new AssertionError("uncaught exception in a server thread", t);
        }
    }

    /** A client end of an in-memory connection, decoding into a queue on a virtual thread. */
    private static final class MemClient implements AutoCloseable {
        final Connection conn;
        final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        final java.util.List<Frame> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
        private static final Object CLOSED = new Object();

        MemClient(Connection conn) {
            this.conn = conn;
            Thread.ofVirtual().start(this::read);
        }

        private void read() {
            FrameDecoder decoder = new FrameDecoder(1 << 16);
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = conn.read(buf, 0, buf.length)) > 0) {
                    decoder.decode(buf, 0, n, new FrameDecoder.Sink() {
                        @Override
                        public void frame(Frame frame) {
                            frames.add(frame);
                            queue.add(frame);
                        }

                        @Override
                        public void error(ProtocolException error) {
                            queue.add(new AssertionError("server sent an undecodable line: " + error));
                        }
                    });
                }
            } catch (IOException e) {
                // closed
            } finally {
                queue.add(CLOSED);
            }
        }

        void write(String s) throws IOException {
            conn.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
        }

        boolean tryWrite(byte[] b) {
            try {
                conn.write(ByteBuffer.wrap(b));
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private Object take() throws InterruptedException {
            Object o = queue.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (o == null) {
                fail("connection stalled: nothing from the server within " + DEADLINE + "; got " + frames);
            }
            if (o instanceof AssertionError e) {
                throw e;
            }
            return o;
        }

        void await(java.util.function.Predicate<Frame> match, String what) throws InterruptedException {
            while (true) {
                Object o = take();
                if (o == CLOSED) {
                    fail("closed while waiting for " + what + "; got " + frames);
                }
                if (match.test((Frame) o)) {
                    return;
                }
            }
        }

        void awaitPongOrClose() throws InterruptedException {
            while (true) {
                Object o = take();
                if (o == CLOSED) {
                    requireReason();
                    return;
                }
                Frame f = (Frame) o;
                if ("fuzz-end".equals(f.field("ref"))) {
                    return;
                }
            }
        }

        void awaitClose() throws InterruptedException {
            while (take() != CLOSED) {
                // drain
            }
            requireReason();
        }

        /** A connection the server closed must have been told why (BYE), unless the input said QUIT. */
        private void requireReason() {
            if (frames.stream().noneMatch(f -> f.verb().equals("BYE"))) {
                fail("server closed the connection without BYE; got " + frames);
            }
        }

        @Override
        public void close() {
            conn.close();
        }
    }
}
