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
 * (written by the reader thread under the write lock), pongs are ignored, a close frame is answered
 * with a close frame and ends the stream (-1). A client that breaks the rules gets a close frame
 * with the code of the {@link WsCloseException} and the read throws it.
 *
 * <p>Writing: the bytes are split at LF, one text message per line (a CR right before the LF is
 * dropped); a line not yet ended is kept until its LF arrives. One {@code write} call becomes one
 * write to the socket.
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

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Bytes of the current outgoing line not yet ended by LF. Guarded by writeLock. */
    private byte[] partial = new byte[256];
    /** Guarded by writeLock. */
    private int partialLength;
    /** The frames of one write call. Guarded by writeLock. */
    private byte[] outBuf = new byte[1024];

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
                case PING -> sendControl(WsFrames.control(WsFrames.PONG, reader.controlPayload()));
                case PONG -> {
                    // unsolicited or late pong: nothing to do
                }
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

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        writeLock.lock();
        try {
            if (closing.get()) {
                throw new IOException("connection closed");
            }
            int outLength = 0;
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
                    int stop = lf < 0 ? limit : lf;
                    appendPartial(buffer, stop - start);
                    if (lf < 0) {
                        break;
                    }
                    buffer.get(); // the LF
                    int n = partialLength;
                    if (n > 0 && partial[n - 1] == '\r') {
                        n--;
                    }
                    if (n > 0) {
                        outLength = appendFrame(outLength, n);
                    }
                    partialLength = 0;
                }
            }
            if (outLength > 0) {
                out.write(outBuf, 0, outLength);
                out.flush();
            }
        } finally {
            writeLock.unlock();
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

    private int appendFrame(int outLength, int n) {
        int needed = outLength + WsFrames.headerLength(n) + n;
        if (needed > outBuf.length) {
            outBuf = Arrays.copyOf(outBuf, Math.max(needed, 2 * outBuf.length));
        }
        int h = WsFrames.writeHeader(outBuf, outLength, WsFrames.TEXT, n);
        System.arraycopy(partial, 0, outBuf, outLength + h, n);
        return outLength + h + n;
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
