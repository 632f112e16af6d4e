package dev.parley.chat.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy between a client and a server that can cut a connection at a chosen moment: right
 * after it forwarded the client's next {@code SEND} line, before any answer gets back to the client.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final AtomicBoolean cutAfterSend = new AtomicBoolean();
    private final AtomicReference<Swallow> swallow = new AtomicReference<>();

    CuttingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /**
     * From now on, what the server sends is thrown away instead of reaching the client, as if lost in
     * flight, until a line containing {@code marker} was thrown away; then both sockets close.
     *
     * @return counted down once the connection was cut
     */
    CountDownLatch swallowRepliesThenCutAfter(String marker) {
        CountDownLatch done = new CountDownLatch(1);
        swallow.set(new Swallow(marker, done));
        return done;
    }

    private record Swallow(String marker, CountDownLatch done) {
    }

    /** The next SEND line the client sends is forwarded, then both sockets of its connection close. */
    void cutAfterNextSend() {
        cutAfterSend.set(true);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                AtomicBoolean cut = new AtomicBoolean();
                Thread.ofVirtual().start(() -> clientToServer(client, server, cut));
                Thread.ofVirtual().start(() -> serverToClient(server, client, cut));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void clientToServer(Socket client, Socket server, AtomicBoolean cut) {
        try (client; server) {
            InputStream in = client.getInputStream();
            OutputStream out = server.getOutputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                line.append((char) b);
                if (b == '\n') {
                    boolean send = line.toString().startsWith("SEND ");
                    if (send && cutAfterSend.compareAndSet(true, false)) {
                        cut.set(true); // nothing more goes back to the client
                        out.write(line.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                        out.flush();
                        return;
                    }
                    out.write(line.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    out.flush();
                    line.setLength(0);
                }
            }
        } catch (IOException e) {
            // one side went away; the try closes both
        }
    }

    private void serverToClient(Socket server, Socket client, AtomicBoolean cut) {
        try (server; client) {
            InputStream in = server.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] buffer = new byte[8192];
            StringBuilder swallowed = new StringBuilder();
            int n;
            while ((n = in.read(buffer)) >= 0 && !cut.get()) {
                Swallow s = swallow.get();
                if (s == null) {
                    out.write(buffer, 0, n);
                    out.flush();
                    continue;
                }
                swallowed.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                int end = swallowed.indexOf(s.marker());
                if (end >= 0 && swallowed.indexOf("\n", end) >= 0 && swallow.compareAndSet(s, null)) {
                    cut.set(true);
                    server.close();
                    client.close();
                    s.done().countDown();
                    return;
                }
                if (end < 0) {
                    // keep only a tail long enough to find a marker split over two reads
                    swallowed.delete(0, Math.max(0, swallowed.length() - s.marker().length() - 1));
                }
            }
        } catch (IOException e) {
            // one side went away; the try closes both
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
