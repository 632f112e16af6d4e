package dev.parley.chat.net;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.FrameEncoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A terminal user speaking the protocol over plain TCP, line by line, as {@code nc} would. */
final class TcpChatUser implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    /** Every frame received so far, in order. */
    final List<Frame> received = new ArrayList<>();

    TcpChatUser(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    void send(Frame frame) throws IOException {
        out.write(FrameEncoder.encode(frame));
        out.flush();
    }

    /** Reads frames until one matches, answering server PINGs on the way. */
    Frame await(String description, Predicate<Frame> match, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new AssertionError("no " + description + " within " + timeout + "; got " + received);
            }
            socket.setSoTimeout((int) left);
            String line;
            try {
                line = in.readLine();
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (line == null) {
                throw new AssertionError("connection closed while waiting for " + description + "; got " + received);
            }
            if (line.isEmpty()) {
                continue;
            }
            Frame f = FrameDecoder.parseLine(line);
            received.add(f);
            if (f.verb().equals("PING")) {
                send(Frame.of("PONG").with("token", f.field("token")));
            }
            if (match.test(f)) {
                return f;
            }
        }
    }

    Frame await(String verb, Duration timeout) throws IOException {
        return await(verb, f -> f.verb().equals(verb), timeout);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
