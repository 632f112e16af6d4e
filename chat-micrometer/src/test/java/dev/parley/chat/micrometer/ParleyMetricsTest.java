package dev.parley.chat.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real server over TCP, its meters read back from a SimpleMeterRegistry. */
@Timeout(30)
class ParleyMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ChatServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A line client: sends lines, reads until a line starting with a prefix. */
    private static final class Line implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Line(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
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

    private RequiredSearch meter(String name) {
        return registry.get(name).tag("server", "test");
    }

    @Test
    void metersFollowARealConversation() throws Exception {
        ParleyMetrics metrics = new ParleyMetrics(Tags.of("server", "test"));
        metrics.bindTo(registry);
        server = ChatServer.builder()
                .listen(TcpTransport.port(0))
                .store(InMemoryMessageStore.create())
                .maxConnectionsPerAddress(2)
                .metrics(metrics)
                .build()
                .start();
        int port = server.port();
        try (Line ann = new Line(port); Line bob = new Line(port)) {
            ann.send("HELLO proto=1 name=ann");
            ann.until("WELCOME");
            bob.send("HELLO proto=1 name=bob");
            bob.until("WELCOME");
            ann.send("JOIN room=lobby");
            ann.until("JOINED");
            bob.send("JOIN room=lobby");
            bob.until("JOINED room=lobby name=bob");
            ann.send("SEND room=lobby ref=1 :hello");
            ann.until("ACK");
            bob.until("MSG");
            bob.send("HISTORY room=lobby limit=5 ref=h");
            bob.until("END");

            assertEquals(2, meter("parley.connections").gauge().value());
            assertEquals(2, meter("parley.users").gauge().value());
            assertEquals(1, meter("parley.rooms").gauge().value());
            assertTrue(meter("parley.outbound.queued").gauge().value() >= 0);
            try (Line third = new Line(port)) {
                assertTrue(third.until("BYE").contains("reason=server-full"));
            }
            ann.send("QUIT");
            ann.until("BYE");
        }
        server.close();

        assertEquals(2, meter("parley.connections.accepted").tag("transport", "tcp").functionCounter().count());
        assertEquals(1, meter("parley.connections.refused").tags("transport", "tcp", "reason", "address-full")
                .functionCounter().count());
        assertEquals(1, meter("parley.disconnects").tags("transport", "tcp", "reason", "quit").functionCounter().count());
        assertEquals(1, meter("parley.disconnects").tags("transport", "tcp", "reason", "server-full")
                .functionCounter().count());
        assertEquals(1, meter("parley.deliveries").functionCounter().count());
        assertEquals(server.stats().framesIn(), meter("parley.frames.received").functionCounter().count());
        assertEquals(server.stats().framesOut(), meter("parley.frames.sent").functionCounter().count());
        assertEquals(server.stats().bytesIn(), meter("parley.bytes.received").functionCounter().count());
        assertEquals("bytes", meter("parley.bytes.sent").functionCounter().getId().getBaseUnit());
        assertEquals(1, meter("parley.store.append").tag("outcome", "success").timer().count());
        assertTrue(meter("parley.store.append").tag("outcome", "success").timer().totalTime(TimeUnit.NANOSECONDS) > 0);
        assertEquals(0, meter("parley.store.append").tag("outcome", "failure").timer().count());
        assertEquals(1, meter("parley.store.append.batch").summary().count());
        assertEquals(1.0, meter("parley.store.append.batch").summary().totalAmount());
        assertEquals(1, meter("parley.history.reads").tag("kind", "history").timer().count());
        assertEquals(1.0, meter("parley.history.messages").tag("kind", "history").summary().totalAmount());
        assertTrue(registry.find("parley.slow.consumers").meters().isEmpty(), "registered with the first slow consumer");
        assertEquals(0, meter("parley.connections").gauge().value(), "levels fall to zero once closed");
    }

    @Test
    void eventsBeforeBindingReachCountersAndSeveralRegistriesSeeTheSame() {
        ParleyMetrics metrics = new ParleyMetrics();
        metrics.frameReceived();
        metrics.storeAppended(3, 1_000, false);
        metrics.bindTo(registry);
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        metrics.bindTo(second);
        metrics.frameReceived();
        metrics.storeAppended(2, 1_000, false);
        assertEquals(2, registry.get("parley.frames.received").functionCounter().count());
        assertEquals(2, second.get("parley.frames.received").functionCounter().count());
        assertEquals(1, registry.get("parley.store.append.batch").summary().count(),
                "distributions record from the first binding on");
        assertEquals(0, registry.get("parley.connections").gauge().value(), "no server started: zero");
    }
}
