package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.protocol.Frame;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A member that never reads is closed as a slow consumer; the others get everything. */
@Timeout(60)
class SlowConsumerTest {

    @Test
    void aClientThatNeverReadsIsClosedAndOthersReceiveEverything() throws Exception {
        int messages = 3000;
        String text = "x".repeat(3000);
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .rateLimit(1_000_000, 1_000_000).outboundQueueBytes(256 * 1024).build().start();
                TestClient sender = TestClient.hello(server.port(), "sender");
                TestClient reader = TestClient.hello(server.port(), "reader");
                Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = slow.getOutputStream();
            out.write("HELLO proto=1 name=slow\nJOIN room=r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            sender.send("JOIN room=r");
            sender.expect("JOINED");
            reader.send("JOIN room=r");
            reader.expect("JOINED");
            // Make sure the slow client is a member before the flood starts.
            sender.send("WHO room=r ref=w");
            while (true) {
                sender.send("WHO room=r ref=w");
                if (sender.untilEnd().stream().anyMatch(f -> "slow".equals(f.field("name")))) {
                    break;
                }
            }

            java.util.concurrent.CompletableFuture<Void> sending = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < messages; i++) {
                        sender.send("SEND room=r :" + text);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Frame left = null;
            for (int i = 1; i <= messages; i++) {
                Frame f = reader.next();
                if (f.verb().equals("LEFT")) {
                    left = f;
                    i--;
                    continue;
                }
                if (f.verb().equals("JOINED")) { // the slow client may have joined after the reader
                    i--;
                    continue;
                }
                assertEquals("MSG", f.verb());
                assertEquals(String.valueOf(i), f.field("seq"));
            }
            sending.get();
            if (left == null) {
                left = reader.awaitVerb("LEFT");
            }
            assertEquals("slow", left.field("name"));
            assertEquals("slow-consumer", left.field("reason"));
            assertEquals(1, server.stats().slowConsumerDisconnects());

            // The slow client's stream ends (after whatever the kernel had buffered).
            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            byte[] buf = new byte[65536];
            boolean ended = false;
            try {
                while (!ended) {
                    ended = in.read(buf) < 0;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("slow consumer was not closed", e);
            } catch (java.io.IOException e) {
                ended = true; // reset by the server: closed as well
            }
            assertTrue(ended);
        }
    }

    @Test
    void aWriteStalledPastTheWriteTimeoutClosesTheConnection() throws Exception {
        String text = "y".repeat(3000);
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .rateLimit(1_000_000, 1_000_000).outboundQueueBytes(256 << 20)
                .writeTimeout(java.time.Duration.ofMillis(300)).build().start();
                TestClient sender = TestClient.hello(server.port(), "sender");
                Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress("127.0.0.1", server.port()));
            stuck.getOutputStream().write("HELLO proto=1 name=stuck\nJOIN room=r\n".getBytes(StandardCharsets.UTF_8));
            sender.send("JOIN room=r");
            sender.expect("JOINED");
            while (true) {
                sender.send("WHO room=r ref=w");
                if (sender.untilEnd().stream().anyMatch(f -> "stuck".equals(f.field("name")))) {
                    break;
                }
            }
            // Send (one at a time) until the server gives up on the member that never reads.
            Frame left = null;
            while (left == null) {
                sender.send("SEND room=r :" + text);
                Frame f = sender.next();
                while (!f.verb().equals("ACK")) {
                    if (f.verb().equals("LEFT")) {
                        left = f;
                    }
                    f = sender.next();
                }
                if (left == null) {
                    left = sender.drainNow().stream().filter(x -> x.verb().equals("LEFT")).findFirst().orElse(null);
                }
            }
            assertEquals("stuck", left.field("name"));
            assertEquals("slow-consumer", left.field("reason"));
            assertEquals(1, server.stats().slowConsumerDisconnects());
        }
    }
}
