package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.net.internal.InputChunks;
import dev.parley.chat.net.internal.NioConnection;
import dev.parley.chat.net.internal.NonBlockingWrite;
import dev.parley.chat.net.internal.Poller;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the poller writes when: on the poller thread a connection's own replies wait for the end of
 * the round, and so does a frame for a connection that the round will still read
 * ({@link NonBlockingWrite#readLaterThisRound}), which then goes out with those replies in one write
 * (in rooms of two partners sending at once: two writes for two messages, not three). A frame for a
 * connection the round will not read again is written at once, as before.
 */
@Timeout(20)
class OutboundRoundEndTest {
    private final ChatServer server = ChatServer.builder().listen(InMemoryTransport.create())
            .store(InMemoryMessageStore.create()).build();

    @AfterEach
    void close() {
        server.close();
    }

    /** Takes every non-blocking write whole and records each call's frames; says what the test sets. */
    private static final class RoundSocket implements Connection, NonBlockingWrite {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean readLater;

        @Override
        public long tryWrite(ByteBuffer[] buffers) {
            StringBuilder call = new StringBuilder();
            long n = 0;
            for (ByteBuffer b : buffers) {
                n += b.remaining();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                call.append(new String(a, StandardCharsets.US_ASCII));
            }
            calls.add(call.toString());
            return n;
        }

        @Override
        public boolean readLaterThisRound() {
            return readLater;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            return -1;
        }

        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            throw new IOException("only non-blocking writes in this test");
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public String transportName() {
            return "round";
        }

        @Override
        public void close() {
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Runs {@code inRound} on a real poller thread, as code handling a read does, and returns what
     * {@code atEnd} saw once the round's end-of-round tasks had run.
     */
    private static <T> T onPoller(Runnable inRound, java.util.function.Supplier<T> atEnd) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Poller poller = new Poller("parley-poll-test");
                Socket peer = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort())) {
            NioConnection trigger = new NioConnection(listener.accept(), poller, "tcp", () -> { });
            CompletableFuture<T> seen = new CompletableFuture<>();
            assertSame(InputChunks.NOTHING, trigger.takeOrCallBack(() -> {
                inRound.run();
                // Queued after the writes' own round-end tasks: runs once they have.
                Poller.atRoundEnd(() -> seen.complete(atEnd.get()));
            }));
            peer.getOutputStream().write('x');
            T result = seen.get(10, TimeUnit.SECONDS);
            trigger.close();
            return result;
        }
    }

    @Test
    void aFrameForAConnectionTheRoundWillStillReadGoesOutWithItsRepliesInOneWrite() throws Exception {
        RoundSocket partner = new RoundSocket();
        Session session = new Session(1, partner, server.hub().shared);
        List<String> duringRound = new CopyOnWriteArrayList<>();
        List<String> afterRound = onPoller(() -> {
            partner.readLater = true; // the round has the partner's read still to handle
            assertTrue(session.out.send(List.of(bytes("MSG room=r seq=1 from=a :hi\n")), true));
            partner.readLater = false; // ... and now handles it: its reply
            assertTrue(session.out.sendReplies(List.of(bytes("ACK id=1 seq=2\n"))));
            duringRound.addAll(partner.calls);
        }, () -> List.copyOf(partner.calls));
        assertEquals(List.of(), duringRound, "nothing written before the round's end");
        assertEquals(List.of("MSG room=r seq=1 from=a :hi\nACK id=1 seq=2\n"), afterRound,
                "the message and the reply in one write, in the order sent");
    }

    @Test
    void aFrameForAConnectionTheRoundWillNotReadIsWrittenAtOnce() throws Exception {
        RoundSocket partner = new RoundSocket();
        Session session = new Session(1, partner, server.hub().shared);
        List<String> duringRound = new CopyOnWriteArrayList<>();
        onPoller(() -> {
            assertTrue(session.out.send(List.of(bytes("MSG room=r seq=1 from=a :hi\n")), true));
            duringRound.addAll(partner.calls);
        }, () -> null);
        assertEquals(List.of("MSG room=r seq=1 from=a :hi\n"), duringRound);
    }

    @Test
    void offThePollerAFrameIsWrittenAtOnceWhateverTheConnectionSays() {
        RoundSocket partner = new RoundSocket();
        partner.readLater = true;
        Session session = new Session(1, partner, server.hub().shared);
        assertTrue(session.out.send(List.of(bytes("MSG room=r seq=1 from=a :hi\n")), true));
        assertEquals(List.of("MSG room=r seq=1 from=a :hi\n"), partner.calls);
    }
}
