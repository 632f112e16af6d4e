package dev.parley.chat.net.internal;

import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket connection after a successful handshake, seen as a line stream.
 *
 * <p>Reading: each text message reads as its bytes followed by LF; pings are answered with pongs
 * (written by the reader thread under the write lock), pongs are ignored, and both count against a
 * {@link ControlFrameBudget} (past it: close 1008); a close frame is answered
 * with a close frame and ends the stream (-1). A client that breaks the rules gets a close frame
 * with the code of the {@link WsCloseException} and the read throws it.
 *
 * <p>Writing: the bytes are split at LF, one text message per line (a CR right before the LF is
 * dropped); a line not yet ended is kept until its LF arrives. The frames of one {@code write} call
 * are copied through one short-lived buffer of at most {@link #CHUNK} bytes and written each time it
 * fills (a 2 MB history is 128 socket writes of 16 KiB, not one 2 MB copy). Nothing sized by what was
 * once written is kept: an idle connection holds the same few hundred bytes whatever it sent before.
 *
 * <p>Threads: one reader (the server's connection thread), one writer at a time (the server's
 * writer); {@link #close()} from any thread sends a 1000 close frame if the socket is not stuck and
 * closes the socket, which unblocks both.
 */
public final class WebSocketConnection implements Connection {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
    /** How long a close frame may take to leave before the socket is closed anyway. */
    private static final Duration CLOSE_WRITE_WAIT = Duration.ofMillis(500);
    /** Guards against a writer that never sends LF: the longest outgoing line held. */
    private static final int MAX_OUTGOING_LINE = 16 << 20;
    /** The largest socket write: a round's frames are copied out through a buffer of at most this. */
    static final int CHUNK = 16 * 1024;
    private static final int INITIAL_PARTIAL = 256;
    /** A line-in-progress buffer grown past this is let go once its line has gone out. */
    private static final int RETAINED_PARTIAL = 1024;

    private final String id;
    private final String transportName;
    private final Socket socket;
    private final OutputStream out;
    private final WsFrameReader reader;
    private final SocketAddress remote;

    // Reader state: used by the reader thread only.
    private int messagePos;
    private int messageEnd;
    private boolean lfPending;
    private boolean ended;
    private final ControlFrameBudget controlBudget = new ControlFrameBudget();

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Bytes of the current outgoing line not yet ended by LF. Guarded by writeLock. */
    private byte[] partial = new byte[INITIAL_PARTIAL];
    /** Guarded by writeLock. */
    private int partialLength;

    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * @param id the connection id for logs
     * @param transportName {@code ws} or {@code wss}
     * @param socket the upgraded socket
     * @param in the socket's input, positioned right after the handshake
     * @param maxMessageSize the largest incoming message
     */
    public WebSocketConnection(String id, String transportName, Socket socket, InputStream in, int maxMessageSize)
            throws IOException {
        this.id = id;
        this.transportName = transportName;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.reader = new WsFrameReader(in, maxMessageSize);
        this.remote = socket.getRemoteSocketAddress();
    }

    /** The id used in logs. */
    public String id() {
        return id;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            if (messagePos < messageEnd) {
                int n = Math.min(length, messageEnd - messagePos);
                System.arraycopy(reader.message(), messagePos, buffer, offset, n);
                messagePos += n;
                return n;
            }
            if (lfPending) {
                lfPending = false;
                buffer[offset] = '\n';
                return 1;
            }
            if (ended) {
                return -1;
            }
            WsFrameReader.Kind kind;
            try {
                kind = reader.next();
            } catch (WsCloseException e) {
                log.debug("{} client broke the protocol, closing with {}: {}", id, e.code(), e.reason());
                closeWith(e.code(), e.reason(), Duration.ofSeconds(1));
                throw e;
            } catch (IOException e) {
                if (closing.get()) {
                    ended = true;
                    return -1;
                }
                throw e;
            }
            switch (kind) {
                case TEXT -> {
                    messagePos = 0;
                    messageEnd = reader.messageLength();
                    lfPending = true;
                }
                case PING -> {
                    spendControlBudget();
                    sendControl(WsFrames.control(WsFrames.PONG, reader.controlPayload()));
                }
                case PONG -> spendControlBudget(); // unsolicited: the server sends no WebSocket pings
                case CLOSE -> {
                    int code = reader.closeCode();
                    log.debug("{} client closed with {} {}", id, code, reader.closeReason());
                    ended = true;
                    closeWith(code == WsFrames.NO_STATUS ? WsFrames.NORMAL : code, "", Duration.ofSeconds(1));
                    return -1;
                }
                case END -> {
                    log.debug("{} client went away without a close frame", id);
                    ended = true;
                    return -1;
                }
            }
        }
    }

    /** Counts a ping or pong against the client's budget; past it the connection closes with 1008. */
    private void spendControlBudget() throws WsCloseException {
        if (!controlBudget.take()) {
            WsCloseException e = new WsCloseException(WsFrames.POLICY_VIOLATION, "too many ping and pong frames");
            log.debug("{} client broke the protocol, closing with {}: {}", id, e.code(), e.reason());
            closeWith(e.code(), e.reason(), Duration.ofSeconds(1));
            throw e;
        }
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        writeLock.lock();
        try {
            if (closing.get()) {
                throw new IOException("connection closed");
            }
            long total = partialLength;
            for (ByteBuffer buffer : buffers) {
                total += buffer.remaining();
            }
            // Short-lived: a round's frames are copied through this and written as it fills.
            FrameChunks frames = new FrameChunks(out, (int) Math.min(CHUNK, total + 2L * WsFrames.MAX_HEADER));
            for (ByteBuffer buffer : buffers) {
                while (buffer.hasRemaining()) {
                    int start = buffer.position();
                    int limit = buffer.limit();
                    int lf = -1;
                    for (int i = start; i < limit; i++) {
                        if (buffer.get(i) == '\n') {
                            lf = i;
                            break;
                        }
                    }
                    if (lf < 0) {
                        appendPartial(buffer, limit - start); // the line goes on in the next buffer or call
                        break;
                    }
                    writeLine(frames, buffer, lf);
                }
            }
            frames.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Frames the line made of {@code partial} and {@code buffer[position, lf)}, and consumes its LF. */
    private void writeLine(FrameChunks frames, ByteBuffer buffer, int lf) throws IOException {
        int start = buffer.position();
        int fromBuffer = lf - start;
        int n = partialLength + fromBuffer;
        byte last = fromBuffer > 0 ? buffer.get(lf - 1) : n > 0 ? partial[partialLength - 1] : 0;
        if (last == '\r') {
            n--; // CR LF: the CR is not part of the message
        }
        if (n > 0) {
            frames.header(WsFrames.TEXT, n);
            int fromPartial = Math.min(partialLength, n);
            frames.put(partial, 0, fromPartial);
            frames.put(buffer, start, n - fromPartial);
        }
        buffer.position(lf + 1);
        partialLength = 0;
        if (partial.length > RETAINED_PARTIAL) {
            partial = new byte[INITIAL_PARTIAL]; // a long line's buffer is not kept for the connection's life
        }
    }

    private void appendPartial(ByteBuffer buffer, int n) throws IOException {
        if (partialLength + n > MAX_OUTGOING_LINE) {
            throw new IOException("outgoing line longer than " + MAX_OUTGOING_LINE + " bytes");
        }
        if (partialLength + n > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLength + n, 2 * partial.length));
        }
        buffer.get(partial, partialLength, n);
        partialLength += n;
    }

    /**
     * Frames on their way out through one bounded buffer: written to the socket each time it fills,
     * so a round of any size never needs more than {@link #CHUNK} bytes of it.
     */
    private static final class FrameChunks {
        private final OutputStream out;
        private final byte[] buf;
        private int length;

        FrameChunks(OutputStream out, int size) {
            this.out = out;
            this.buf = new byte[Math.max(size, WsFrames.MAX_HEADER)];
        }

        void header(int opcode, int payloadLength) throws IOException {
            if (buf.length - length < WsFrames.MAX_HEADER) {
                drain();
            }
            length += WsFrames.writeHeader(buf, length, opcode, payloadLength);
        }

        void put(byte[] src, int off, int n) throws IOException {
            while (n > 0) {
                if (length == buf.length) {
                    drain();
                }
                int k = Math.min(n, buf.length - length);
                System.arraycopy(src, off, buf, length, k);
                length += k;
                off += k;
                n -= k;
            }
        }

        void put(ByteBuffer src, int index, int n) throws IOException {
            while (n > 0) {
                if (length == buf.length) {
                    drain();
                }
                int k = Math.min(n, buf.length - length);
                src.get(index, buf, length, k);
                length += k;
                index += k;
                n -= k;
            }
        }

        void flush() throws IOException {
            if (length > 0) {
                drain();
                out.flush();
            }
        }

        private void drain() throws IOException {
            out.write(buf, 0, length);
            length = 0;
        }
    }

    private void sendControl(byte[] frame) throws IOException {
        writeLock.lock();
        try {
            if (closing.get()) {
                return;
            }
            out.write(frame);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String transportName() {
        return transportName;
    }

    /** Sends a 1000 close frame when the socket can take it, then closes the socket. */
    @Override
    public void close() {
        closeWith(WsFrames.NORMAL, "", Duration.ofMillis(250));
    }

    /**
     * Sends a close frame, unless another writer holds the socket longer than {@code lockWait} or the
     * frame cannot leave within {@link #CLOSE_WRITE_WAIT}, then closes the socket. Idempotent.
     */
    private void closeWith(int code, String reason, Duration lockWait) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            if (writeLock.tryLock(lockWait.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    writeWithDeadline(WsFrames.close(code, reason));
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSocket();
        }
    }

    /** Writes a small frame on a helper virtual thread, waiting at most CLOSE_WRITE_WAIT for it. */
    private void writeWithDeadline(byte[] frame) throws InterruptedException {
        Thread t = Thread.ofVirtual().name("parley-ws-close-" + id).start(() -> {
            try {
                out.write(frame);
                out.flush();
                if (!(socket instanceof SSLSocket)) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                log.debug("{} close frame not sent: {}", id, e.toString());
            }
        });
        if (!t.join(CLOSE_WRITE_WAIT)) {
            log.debug("{} close frame stuck, closing the socket", id);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("{} close failed: {}", id, e.toString());
        }
    }
}
