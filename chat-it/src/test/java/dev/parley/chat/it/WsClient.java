package dev.parley.chat.it;

import dev.parley.chat.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client written byte by byte over a real socket, for tests that send what no real client
 * would: any request head, any frame. Blocking; every read is bounded by a socket timeout of
 * {@link RawClient#WAIT}.
 */
final class WsClient implements AutoCloseable {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final byte[] MASK = {0x21, (byte) 0x9c, 0x5a, 0x07};

    /** A frame the server sent. */
    record ServerFrame(boolean fin, int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private WsClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout((int) RawClient.WAIT.toMillis());
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:port. */
    static WsClient connect(int port) throws IOException {
        return connect(null, port);
    }

    /** Connects to 127.0.0.1:port from this local address (another loopback address is another client address). */
    static WsClient connect(InetAddress from, int port) throws IOException {
        Socket s = new Socket();
        try {
            if (from != null) {
                s.bind(new InetSocketAddress(from, 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            return new WsClient(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** The head of a valid upgrade of /chat to 127.0.0.1:port, with extra header lines. */
    static String upgradeHead(int port, String... extra) {
        StringBuilder sb = new StringBuilder("GET /chat HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n");
        for (String e : extra) {
            sb.append(e).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** Upgrades (asserting 101) and returns this client. */
    WsClient upgrade() throws IOException {
        String head = request(upgradeHead(socket.getPort()));
        if (!head.startsWith("HTTP/1.1 101 ")) {
            throw new IOException("upgrade refused: " + head);
        }
        return this;
    }

    /** Sends a request head and returns the response head. */
    String request(String head) throws IOException {
        send(head.getBytes(StandardCharsets.ISO_8859_1));
        return readHead();
    }

    /** The status of the response to this request head. */
    int status(String head) throws IOException {
        String response = request(head);
        return Integer.parseInt(response.substring(9, 12));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends one protocol line as a masked text message. */
    void sendLine(String line) throws IOException {
        send(frame(true, 0x1, line.getBytes(StandardCharsets.UTF_8)));
    }

    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside the response head: " + head);
            }
            head.write(b);
            String s = head.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
    }

    /** Reads one frame the server sent. */
    ServerFrame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) {
            throw new IOException("server frame is masked");
        }
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new ServerFrame((b0 & 0x80) != 0, b0 & 0x0f, payload);
    }

    /** Reads text messages until one starts with {@code prefix}; returns it. */
    String awaitLine(String prefix) throws IOException {
        while (true) {
            ServerFrame f = readFrame();
            if (f.opcode() == 0x8) {
                throw new EOFException("closed with " + f.closeCode() + " while waiting for " + prefix);
            }
            if (f.opcode() == 0x1 && f.text().startsWith(prefix)) {
                return f.text();
            }
        }
    }

    /** Reads frames until a close frame; returns its code. */
    int awaitCloseCode() throws IOException {
        while (true) {
            ServerFrame f = readFrame();
            if (f.opcode() == 0x8) {
                return f.closeCode();
            }
        }
    }

    /** Reads until the server ends the stream (end of stream or reset): the socket was closed. */
    void awaitEnd() throws IOException {
        try {
            while (in.read() >= 0) {
                // discard
            }
        } catch (SocketException reset) {
            // closed by the server with unread data: a reset
        }
    }

    /**
     * Only the first bytes of a masked frame's header, up to its length (no mask key, no payload): the
     * server refuses a bad length from these alone, so nothing it has not read is left on the socket.
     */
    static byte[] headerUpToLength(boolean fin, int opcode, long length) {
        ByteBuffer b = ByteBuffer.allocate(10);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (length < 126) {
            b.put((byte) (0x80 | length));
        } else if (length <= 0xffff) {
            b.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(length);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** A masked client frame. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, opcode, payload, true, 0);
    }

    /** A client frame, masked or not, with these RSV bits (0x70 mask). */
    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked, int rsv) {
        int n = payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + n);
        b.put((byte) ((fin ? 0x80 : 0) | rsv | opcode));
        int m = masked ? 0x80 : 0;
        if (n < 126) {
            b.put((byte) (m | n));
        } else if (n <= 0xffff) {
            b.put((byte) (m | 126)).putShort((short) n);
        } else {
            b.put((byte) (m | 127)).putLong(n);
        }
        if (masked) {
            b.put(MASK);
        }
        for (int i = 0; i < n; i++) {
            b.put((byte) (payload[i] ^ (masked ? MASK[i & 3] : 0)));
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
