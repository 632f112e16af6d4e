package dev.parley.chat.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A person at {@code nc}: writes protocol lines, reads the answers (5 s read timeout). */
final class LineClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    LineClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5000);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    Socket socket() {
        return socket;
    }

    void send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line, or null at the end of the stream. */
    String read() throws IOException {
        return in.readLine();
    }

    /** Reads until a line starting with {@code prefix}; that line. */
    String readUntil(String prefix) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("no line starting with " + prefix + "; the stream ended after:\n" + seen);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
