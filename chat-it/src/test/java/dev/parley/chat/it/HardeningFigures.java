package dev.parley.chat.it;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.net.WebSocketTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The one-off measurements behind RELIABILITY.md's issue 17 figures. Not a test: it asserts nothing,
 * prints what it measured, and runs only when asked:
 * {@code mvn -q verify -pl chat-it -am -Dtest=HardeningFigures -Dparley.figures=true -Dsurefire.failIfNoSpecifiedTests=false}
 * (output in {@code chat-it/target/surefire-reports/dev.parley.chat.it.HardeningFigures-output.txt}).
 */
@EnabledIfSystemProperty(named = "parley.figures", matches = "true")
class HardeningFigures {
    private static final int CONNECTIONS = Integer.getInteger("parley.figures.connections", 150);

    /** Heap after a full GC with N idle connections that each read HISTORY limit=500 of 4 KB messages. */
    @Test
    void heapPerIdleConnectionAfterALargeHistory() throws Exception {
        for (String transport : new String[] {"ws", "tcp"}) {
            try (MemoryExhaustionTest.Child child = MemoryExhaustionTest.Child.start(
                    "-Xmx" + System.getProperty("parley.figures.heap", "2g"))) {
                RawClient writer = RawClient.connect(child.tcp, "writer").hello("writer");
                writer.join("big");
                String text = "x".repeat(4000);
                for (int i = 0; i < 500; i++) {
                    writer.send("SEND room=big id=m" + i + " :" + text);
                }
                for (int i = 0; i < 500; i++) {
                    writer.awaitVerb("ACK");
                }
                // Warm-up: 10 connections do the same and close, so that classes, caches and the JIT's
                // leftovers are in the baseline too.
                List<AutoCloseable> idle = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    idle.add(readHistory(transport, child, "w" + i));
                }
                for (AutoCloseable c : idle) {
                    c.close();
                }
                idle.clear();
                heap(child);
                long before = heap(child);
                for (int i = 0; i < CONNECTIONS; i++) {
                    idle.add(readHistory(transport, child, "r" + i));
                }
                long after = heap(child);
                System.out.printf(Locale.ROOT, "%s: %d idle connections after HISTORY limit=500 of 4 KB: heap %.1f -> %.1f MB"
                        + " after GC, %.1f KB per connection%n", transport, CONNECTIONS, before / 1e6, after / 1e6,
                        (after - before) / 1e3 / CONNECTIONS);
                for (AutoCloseable c : idle) {
                    c.close();
                }
                writer.close();
            }
        }
    }

    /** A connection that said HELLO, joined the room and read its 500 messages, now idle. */
    private static AutoCloseable readHistory(String transport, MemoryExhaustionTest.Child child, String name)
            throws IOException {
        if (transport.equals("ws")) {
            WsClient ws = WsClient.connect(child.ws).upgrade();
            ws.sendLine("HELLO proto=1 name=" + name);
            ws.awaitLine("WELCOME");
            ws.sendLine("JOIN room=big ref=j");
            ws.awaitLine("JOINED");
            ws.sendLine("HISTORY room=big limit=500 ref=h");
            ws.awaitLine("END");
            return ws;
        }
        RawClient c = RawClient.connect(child.tcp, name).hello(name);
        c.join("big");
        c.callAll("HISTORY room=big limit=500");
        return c;
    }

    private static long heap(MemoryExhaustionTest.Child child) throws Exception {
        return Long.parseLong(child.command('h', "heap ").substring(5));
    }

    /** From letting the memory go to the first WELCOME over each port, after both knocked while full. */
    @Test
    void timeToRecoverAfterMemoryExhaustion() throws Exception {
        for (int run = 0; run < 5; run++) {
            try (MemoryExhaustionTest.Child child = MemoryExhaustionTest.Child.start("-Xmx48m")) {
                RawClient.connect(child.tcp, "warm").hello("warm").close();
                child.command('f', "full");
                long full = System.nanoTime();
                knock(child.tcp, "HELLO proto=1 name=k\n");
                knock(child.ws, WsClient.upgradeHead(child.ws));
                long held = System.nanoTime() - full;
                long t0 = System.nanoTime();
                child.command('r', "freed");
                long freed = System.nanoTime();
                RawClient.connect(child.tcp, "tcp").hello("tcp").close();
                long tcp = System.nanoTime();
                try (WsClient ws = WsClient.connect(child.ws).upgrade()) {
                    ws.sendLine("HELLO proto=1 name=ws");
                    ws.awaitLine("WELCOME");
                }
                long ws = System.nanoTime();
                System.out.printf(Locale.ROOT, "recovery run %d: heap held full %.1f s; release+GC %.0f ms; then TCP WELCOME"
                        + " after %.0f ms, WebSocket WELCOME %.0f ms after that%n", run, held / 1e9, (freed - t0) / 1e6,
                        (tcp - freed) / 1e6, (ws - tcp) / 1e6);
            }
        }
    }

    private static void knock(int port, String request) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(2000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getInputStream().read();
        } catch (IOException e) {
            // whatever happens
        }
    }

    /** How long a socket trickling one byte per second lasts, with the default 10 s handshake timeout. */
    @Test
    void howLongATricklingHandshakeLasts() throws Exception {
        ChatServer server = ChatServer.builder()
                .listen(WebSocketTransport.builder().host("127.0.0.1").port(0).build())
                .listen(TcpTransport.builder().host("127.0.0.1").port(0).tls(Tls.server()).build())
                .store(InMemoryMessageStore.create())
                .handshakeTimeout(java.time.Duration.ofMinutes(10)) // only the transports' deadlines count
                .build()
                .start();
        try {
            int ws = ((InetSocketAddress) server.addresses().get(0)).getPort();
            int tls = ((InetSocketAddress) server.addresses().get(1)).getPort();
            System.out.printf(Locale.ROOT, "ws upgrade, 1 header byte/s: closed after %.2f s%n",
                    trickle(ws, "GET /chat HTTP/1.1\r\nX: ".getBytes(StandardCharsets.ISO_8859_1)));
            System.out.printf(Locale.ROOT, "tls (TcpTransport), 1 ClientHello byte/s: closed after %.2f s%n",
                    trickle(tls, new byte[] {0x16, 0x03, 0x01, 0x10, 0x00}));
        } finally {
            server.close();
        }
    }

    /** Seconds from connect until the server closed the socket, sending one byte per second after {@code start}. */
    private static double trickle(int port, byte[] start) throws Exception {
        long t0 = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(start);
            s.setSoTimeout(1000);
            InputStream in = s.getInputStream();
            for (int i = 0; i < 120; i++) {
                try {
                    if (in.read() < 0) {
                        break;
                    }
                } catch (java.net.SocketTimeoutException quiet) {
                    out.write('a'); // one more byte per second
                } catch (java.net.SocketException reset) {
                    break;
                }
            }
        } catch (java.net.SocketException reset) {
            // the write after the close
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
