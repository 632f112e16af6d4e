package dev.parley.chat.it;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.net.WebSocketTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server that {@link MemoryExhaustionTest} runs in a child JVM with a small heap: TCP and WebSocket
 * on 127.0.0.1, ephemeral ports, an in-memory store (keeping the newest 1,000 messages of each
 * conversation, or every message with the argument {@code keep-all}), no rate limit to speak of.
 *
 * <p>Prints {@code listening tcp=P ws=Q}, then reads one-byte commands from its standard input:
 * {@code f} fills the heap until nothing more can be allocated and holds it, then prints {@code full};
 * {@code r} lets it go, runs a GC and prints {@code freed}; {@code h} runs a GC and prints
 * {@code heap USED} (bytes, for one-off measurements); {@code t} prints {@code threads} and the names
 * of the live platform threads. It exits when its standard input ends.
 */
public final class SmallHeapServerMain {
    /** Holds the heap while full: a chain of arrays. */
    private static Object[] balloon;

    private SmallHeapServerMain() {
    }

    public static void main(String[] args) throws IOException {
        ChatServer server = ChatServer.builder()
                .listen(TcpTransport.builder().host("127.0.0.1").port(0).build())
                .listen(WebSocketTransport.builder().host("127.0.0.1").port(0).build())
                .store(List.of(args).contains("keep-all") ? InMemoryMessageStore.create()
                        : InMemoryMessageStore.withRetention(1000))
                .rateLimit(1_000_000, 1_000_000)
                .build()
                .start();
        int tcp = server.port();
        int ws = server.addresses().stream().map(a -> ((InetSocketAddress) a).getPort())
                .filter(p -> p != tcp).findFirst().orElseThrow();
        // Written without allocating: these lines must go out while the heap is full.
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        // Each reply starts on a line of its own: another thread may have left half a line (a stack
        // trace cut short by the full heap) on the same output.
        byte[] full = "\nfull\n".getBytes(StandardCharsets.US_ASCII);
        out.write(("listening tcp=" + tcp + " ws=" + ws + "\n").getBytes(StandardCharsets.US_ASCII));
        int command;
        while ((command = System.in.read()) >= 0) {
            switch (command) {
                case 'f' -> {
                    fill();
                    writeWhileFull(out, full);
                }
                case 'r' -> {
                    balloon = null;
                    System.gc();
                    out.write("\nfreed\n".getBytes(StandardCharsets.US_ASCII));
                }
                case 't' -> {
                    StringBuilder names = new StringBuilder("\nthreads");
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        names.append(' ').append(t.getName());
                    }
                    out.write((names + "\n").getBytes(StandardCharsets.UTF_8));
                }
                case 'h' -> {
                    System.gc();
                    System.gc();
                    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    out.write(("\nheap " + used + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                default -> {
                    // newlines and the like
                }
            }
        }
        server.close();
        System.exit(0);
    }

    /** Allocates ever smaller arrays until not even 16 bytes can be had. */
    private static void fill() {
        Object[] head = null;
        int size = 1 << 20;
        while (size >= 16) {
            try {
                Object[] node = new Object[2];
                node[0] = head;
                node[1] = new byte[size];
                head = node;
            } catch (OutOfMemoryError e) {
                size /= 2;
            }
        }
        balloon = head;
    }

    private static void writeWhileFull(FileOutputStream out, byte[] line) throws IOException {
        for (int i = 0; i < 100; i++) {
            try {
                out.write(line);
                return;
            } catch (OutOfMemoryError e) {
                // try again: a GC may have found a few bytes meanwhile
            }
        }
        throw new IOException("could not report a full heap");
    }
}
