package dev.parley.chat.server;

import dev.parley.chat.testing.RawClient;
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
                RawClient sender = RawClient.hello(server.port(), "sender");
                RawClient reader = RawClient.hello(server.port(), "reader");
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
                if (f.verb().equals("JOINED")) {
                    // The slow client's own join notice may reach the reader after the reader joined.
                    assertEquals("slow", f.field("name"));
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
}
