package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On plain TCP an idle connection holds no reader thread: a reader that finds nothing to read ends,
 * and the poller starts a new one when input arrives. Counted in a thread dump that includes virtual
 * threads, while the connections stay usable.
 */
@Timeout(60)
class IdleReadersTest {
    private ChatServer server;
    private final List<RawClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void idleTcpConnectionsHoldNoReaderThreadAndWakeUpWhenSpokenTo() throws Exception {
        server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).build().start();
        for (int i = 0; i < 20; i++) {
            RawClient c = RawClient.hello(server.port(), "idle" + i);
            c.send("JOIN room=r" + i);
            c.expect("JOINED");
            clients.add(c);
        }
        // Every reader has answered and found nothing more to read; they end soon after (a reader
        // still unwinding its last call is alive for a moment), and none is left parked.
        while (readerThreads() > 0) {
            LockSupport.parkNanos(10_000_000);
        }
        // Spoken to again, each connection gets a new reader that handles the request.
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).send("SEND room=r" + i + " id=1 :still here");
            clients.get(i).expect("ACK");
        }
        assertEquals(20L, server.stats().connections());
    }

    /** Live threads named {@code parley-c<id>}, virtual ones included (JDK 21 thread dump). */
    static int readerThreads() throws Exception {
        Path file = Files.createTempFile("threads", ".txt");
        Files.delete(file);
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            Matcher m = Pattern.compile("\"parley-c\\d+\"").matcher(Files.readString(file));
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
