package dev.parley.chat.jakarta.internal;

import dev.parley.chat.transport.Connection;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta WebSocket session seen as a line stream, as {@code WebSocketConnection} is for the
 * built-in transport: each text message reads as its bytes followed by LF; each line written is sent
 * as one text message.
 *
 * <p>Reading: the container delivers messages on its own threads into a bounded {@link Inbox}; the
 * server's reader takes them. A full inbox blocks the container's thread, so the container stops
 * reading that socket until the server catches up.
 *
 * <p>Writing: one line at a time through the container's asynchronous send, waiting for each to
 * complete, so a peer that does not read holds the server's writer here (where its write timeout
 * sees it) and nothing piles up in the container. {@link #close()} fails a send in progress at once.
 *
 * <p>Closing never blocks the caller: the container's own close (which may wait for a stuck peer)
 * runs on a virtual thread of its own.
 */
public final class JakartaConnection implements Connection {
    private static final Logger log = LoggerFactory.getLogger(JakartaConnection.class);
    /** Guards against a writer that never sends LF: the longest outgoing line held. */
    private static final int MAX_OUTGOING_LINE = 16 << 20;

    private final String id;
    private final String transportName;
    private final Session session;
    private final SocketAddress remote;
    private final Inbox inbox;

    // Reader state: the reader thread only.
    private byte[] current;
    private int pos;

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by writeLock: the outgoing line not yet ended by LF. */
    private byte[] partial = new byte[256];
    /** Guarded by writeLock. */
    private int partialLength;
    /** The send in progress, failed by close(). */
    private volatile CompletableFuture<Void> sending;

    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set when the container reported an error before the close (a protocol violation, a reset). */
    private volatile Throwable error;

    JakartaConnection(String id, String transportName, Session session, SocketAddress remote, int inboxCapacity) {
        this.id = id;
        this.transportName = transportName;
        this.session = session;
        this.remote = remote;
        this.inbox = new Inbox(inboxCapacity);
    }

    /** The id used in logs. */
    public String id() {
        return id;
    }

    // ------------------------------------------------------------------ container side

    /** A whole text message arrived (container thread): waits while the inbox is full. */
    void onText(String text) {
        byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (!inbox.put(line)) {
                log.debug("{} message after the end of the stream dropped", id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A binary message arrived: refused with 1003, as the built-in transport does. */
    void onBinary() {
        log.debug("{} binary message, closing with 1003", id);
        closeWith(CloseReason.CloseCodes.CANNOT_ACCEPT, "binary messages are not accepted",
                new IOException("WebSocket close 1003: binary messages are not accepted"));
    }

    void onError(Throwable t) {
        if (error == null) {
            error = t;
        }
        log.debug("{} container reported: {}", id, t.toString());
    }

    /**
     * The container closed the session (the peer's close, a violation, a dropped socket). A close for
     * a broken rule (1002 protocol, 1003 data, 1007 payload, 1008 policy, 1009 size, 1010, 1011) fails
     * the reader, as the built-in transport's violations do; any other ends the stream.
     */
    void onClose(CloseReason reason) {
        int code = reason.getCloseCode().getCode();
        IOException failure = null;
        if (code == 1002 || code == 1003 || (code >= 1007 && code <= 1011)) {
            failure = new IOException("WebSocket close " + code + ": " + reason.getReasonPhrase(), error);
        }
        log.debug("{} closed with {} {}", id, code, reason.getReasonPhrase());
        inbox.end(failure);
        closed.set(true);
        failSend();
    }

    // ------------------------------------------------------------------ Connection

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || pos >= current.length) {
            current = inbox.take();
            pos = 0;
            if (current == null) {
                return -1;
            }
        }
        int n = Math.min(length, current.length - pos);
        System.arraycopy(current, pos, buffer, offset, n);
        pos += n;
        return n;
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        writeLock.lock();
        try {
            if (closed.get()) {
                throw new IOException("connection closed");
            }
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
                    appendPartial(buffer, (lf < 0 ? limit : lf) - start);
                    if (lf < 0) {
                        break;
                    }
                    buffer.get(); // the LF
                    int n = partialLength;
                    if (n > 0 && partial[n - 1] == '\r') {
                        n--;
                    }
                    partialLength = 0;
                    if (n > 0) {
                        send(new String(partial, 0, n, StandardCharsets.UTF_8));
                    }
                }
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

    /** Sends one text message and waits until the container has written it (or the connection closed). */
    private void send(String text) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        sending = done;
        if (closed.get()) {
            throw new IOException("connection closed");
        }
        try {
            session.getAsyncRemote().sendText(text, result -> {
                if (result.isOK()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(result.getException());
                }
            });
        } catch (RuntimeException e) {
            throw new IOException("send failed: " + e, e);
        }
        try {
            done.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ClosedChannelException || cause instanceof EOFException || !session.isOpen()) {
                // The peer went away while the message was leaving: as a TCP write into a socket whose
                // peer has just closed, it counts as written; the reader sees the end of the stream.
                log.debug("{} peer gone during a send: {}", id, cause.toString());
                closed.set(true);
                return;
            }
            throw new IOException("send failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending");
        }
    }

    private void failSend() {
        CompletableFuture<Void> s = sending;
        if (s != null) {
            s.completeExceptionally(new IOException("connection closed"));
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

    /** Closes with 1000: the reader sees the end of the stream, a writer fails. Never blocks. */
    @Override
    public void close() {
        closeWith(CloseReason.CloseCodes.NORMAL_CLOSURE, "", null);
    }

    /** Closes the session with this code, the reader ending with {@code failure} (or the end of stream). */
    void closeWith(CloseReason.CloseCode code, String reason, IOException failure) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (failure == null) {
            inbox.close();
        } else {
            inbox.end(failure);
        }
        failSend();
        Thread.ofVirtual().name("parley-" + id + "-close").start(() -> {
            try {
                session.close(new CloseReason(code, reason));
            } catch (IOException | RuntimeException e) {
                log.debug("{} close failed: {}", id, e.toString());
            }
        });
    }
}
