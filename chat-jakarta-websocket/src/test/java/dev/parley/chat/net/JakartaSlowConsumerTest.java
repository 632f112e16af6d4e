package dev.parley.chat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.jakarta.JakartaWebSocketTransport;
import dev.parley.chat.net.internal.WsTestFrames;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Back-pressure through the container: a WebSocket member (in Jetty) that never reads is closed as a
 * slow consumer while the sender and a TCP reader go on and the reader gets every message in order.
 */
@Timeout(90)
class JakartaSlowConsumerTest {

    private static final class Line implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Line(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String until(String prefix) throws IOException {
            String l;
            while ((l = in.readLine()) != null) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            throw new IOException("closed before " + prefix);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aWebSocketClientThatNeverReadsIsClosedAndOthersReceiveEverything() throws Exception {
        int messages = 3000;
        String text = "x".repeat(3000);
        JakartaWebSocketTransport ws = JakartaWebSocketTransport.builder().build();
        try (EmbeddedJetty jetty = EmbeddedJetty.start(ws);
                ChatServer server = ChatServer.builder()
                        .listen(TcpTransport.builder().host("127.0.0.1").port(0).build())
                        .listen(ws)
                        .store(InMemoryMessageStore.create())
                        .rateLimit(1_000_000, 1_000_000)
                        .outboundQueueBytes(256 * 1024)
                        .build()
                        .start();
                Line sender = new Line(server.port());
                Line reader = new Line(server.port());
                Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", jetty.port()));
            OutputStream out = slow.getOutputStream();
            out.write(("GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + RawWebSocket.KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(WsTestFrames.concat(WsTestFrames.text("HELLO proto=1 name=slow"), WsTestFrames.text("JOIN room=r")));
            out.flush();

            sender.send("HELLO proto=1 name=sender");
            sender.until("WELCOME");
            reader.send("HELLO proto=1 name=reader");
            reader.until("WELCOME");
            sender.send("JOIN room=r");
            sender.until("JOINED room=r name=sender");
            reader.send("JOIN room=r");
            reader.until("JOINED room=r name=reader");
            while (!server.members("r").contains("slow")) {
                sender.send("WHO room=r ref=w"); // a round trip, then look again
                sender.until("END");
            }

            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < messages; i++) {
                        sender.send("SEND room=r :" + text);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            String left = null;
            int seq = 0;
            while (seq < messages) {
                String l = reader.in.readLine();
                if (l.startsWith("LEFT ")) {
                    left = l;
                } else if (l.startsWith("MSG ")) {
                    seq++;
                    assertTrue(l.startsWith("MSG room=r seq=" + seq + " "), l);
                }
            }
            sending.get();
            if (left == null) {
                left = reader.until("LEFT ");
            }
            assertTrue(left.contains("name=slow") && left.contains("reason=slow-consumer"), left);
            assertEquals(1, server.stats().slowConsumerDisconnects());

            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            byte[] buf = new byte[65536];
            boolean ended = false;
            try {
                while (!ended) {
                    ended = in.read(buf) < 0;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the slow WebSocket client was not closed", e);
            } catch (IOException e) {
                ended = true; // reset: closed as well
            }
            assertTrue(ended);
        }
    }
}
