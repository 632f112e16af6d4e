package dev.parley.chat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.FrameEncoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A scripted server for client tests: a real socket on port 0; the test reads the client's frames and
 * answers them by hand, following PROTOCOL.md. Every read gives up after five seconds.
 */
final class FakeServer implements AutoCloseable {
    private final ServerSocket socket;

    FakeServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /**
     * A server whose connections have a receive buffer of about {@code receiveBuffer} bytes, so that a
     * peer that stops reading soon stops the client's writes.
     */
    FakeServer(int receiveBuffer) throws IOException {
        socket = new ServerSocket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Waits for the next client connection. */
    Peer accept() throws IOException {
        Socket s = socket.accept();
        s.setSoTimeout(5000);
        return new Peer(s);
    }

    /** Accepts a connection, reads its HELLO and welcomes it. */
    Peer acceptAndWelcome(String name) throws IOException {
        Peer p = accept();
        Frame hello = p.expect("HELLO");
        assertEquals("1", hello.field("proto"));
        assertEquals(name, hello.field("name"));
        p.send("WELCOME proto=1 name=" + name + " server=fake/0 max-line=16384 max-text=4096");
        return p;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        /** Reads the next frame and checks its verb. */
        Frame expect(String verb) throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("client closed the connection while " + verb + " was expected");
            }
            Frame f = FrameDecoder.parseLine(line);
            assertEquals(verb, f.verb(), "frame " + line);
            return f;
        }

        /** Reads the next frame, whatever its verb. */
        Frame next() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("client closed the connection while a frame was expected");
            }
            return FrameDecoder.parseLine(line);
        }

        /** Reads until the client closes its side; fails if it sends anything more. */
        void expectEnd() throws IOException {
            String line = in.readLine();
            assertNull(line, "expected the end of the stream");
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void send(Frame f) throws IOException {
            out.write(FrameEncoder.encode(f));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
