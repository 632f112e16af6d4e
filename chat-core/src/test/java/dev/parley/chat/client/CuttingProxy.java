package dev.parley.chat.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy between a client and a server that can cut a connection at a chosen moment: right
 * after it forwarded the client's next {@code SEND} line, before any answer gets back to the client.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final AtomicBoolean cutAfterSend = new AtomicBoolean();

    CuttingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
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
            int n;
            while ((n = in.read(buffer)) >= 0 && !cut.get()) {
                out.write(buffer, 0, n);
                out.flush();
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
