package dev.parley.chat.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.transport.Binding;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transports on their own, without a server: bytes both ways, end of stream, close, limits. */
@Timeout(30)
class TransportsTest {

    private static byte[] readExactly(Connection c, int n) throws IOException {
        byte[] out = new byte[n];
        int at = 0;
        while (at < n) {
            int r = c.read(out, at, n - at);
            if (r < 0) {
                throw new IOException("end of stream after " + at);
            }
            at += r;
        }
        return out;
    }

    @Test
    void inMemoryCarriesBytesBothWaysAndEndsCleanly() throws Exception {
        InMemoryTransport memory = InMemoryTransport.create(1024);
        assertThrows(IOException.class, memory::connect, "not bound yet");
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        try (Binding binding = memory.bind(accepted::add)) {
            assertThrows(IOException.class, () -> memory.bind(c -> { }));
            Connection client = memory.connect();
            Connection server = accepted.poll(5, TimeUnit.SECONDS);
            assertEquals("memory", server.transportName());
            byte[] big = new byte[10_000]; // more than the buffer: the writer waits for the reader
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    client.write(ByteBuffer.wrap(big, 0, 5000), ByteBuffer.wrap(big, 5000, 5000));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            assertArrayEquals(big, readExactly(server, big.length));
            write.get(5, TimeUnit.SECONDS);
            server.write(ByteBuffer.wrap("PONG\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals("PONG\n", new String(readExactly(client, 5), StandardCharsets.UTF_8));
            client.close();
            assertEquals(-1, server.read(new byte[10], 0, 10));
            assertThrows(IOException.class, () -> server.write(ByteBuffer.wrap(new byte[] {1})));
        }
        assertThrows(IOException.class, memory::connect, "binding closed");
    }

    @Test
    void tcpCarriesBytesAndCloseUnblocksAReader() throws Exception {
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        Binding binding = TcpTransport.builder().host("127.0.0.1").port(0).build().bind(accepted::add);
        int port = ((InetSocketAddress) binding.localAddress()).getPort();
        assertTrue(port > 0);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            Connection server = accepted.poll(5, TimeUnit.SECONDS);
            assertEquals("tcp", server.transportName());
            socket.getOutputStream().write("HELLO\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("HELLO\n", new String(readExactly(server, 6), StandardCharsets.UTF_8));
            server.write(ByteBuffer.wrap("A".getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap("B\n".getBytes(StandardCharsets.UTF_8)));
            byte[] got = socket.getInputStream().readNBytes(3);
            assertEquals("AB\n", new String(got, StandardCharsets.UTF_8));

            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.read(new byte[10], 0, 10);
                } catch (IOException e) {
                    return -2;
                }
            }, r -> Thread.ofVirtual().start(r));
            server.close();
            int r = blocked.get(5, TimeUnit.SECONDS);
            assertTrue(r < 0, "a blocked read returns or throws once closed");
            assertEquals(-1, socket.getInputStream().read(), "the peer sees the close");
        } finally {
            binding.close();
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void tcpKeepsAcceptingAfterTheAcceptorThrowsAnError() throws Exception {
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        // As when a class fails to load: an Error, not an exception, thrown on the accepting thread.
        try (Binding binding = TcpTransport.builder().host("127.0.0.1").port(0).build().bind(c -> {
            if (calls.incrementAndGet() == 1) {
                throw new NoClassDefFoundError("on purpose");
            }
            accepted.add(c);
        })) {
            int port = ((InetSocketAddress) binding.localAddress()).getPort();
            try (Socket first = new Socket("127.0.0.1", port)) {
                first.setSoTimeout(5_000); // a socket read does not answer @Timeout's interrupt
                assertEquals(-1, first.getInputStream().read(), "the failed connection is closed");
            }
            try (Socket second = new Socket("127.0.0.1", port)) {
                Connection server = accepted.poll(5, TimeUnit.SECONDS);
                assertTrue(server != null, "the next connection is accepted");
                second.getOutputStream().write("HI\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("HI\n", new String(readExactly(server, 3), StandardCharsets.UTF_8));
                server.close();
            }
        }
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> TcpTransport.port(70_000));
        assertThrows(IllegalArgumentException.class, () -> TcpTransport.builder().handshakeTimeout(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> InMemoryTransport.create(10));
    }
}
