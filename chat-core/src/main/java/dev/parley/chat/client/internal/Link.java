package dev.parley.chat.client.internal;

import dev.parley.chat.client.ChatClientException;
import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the server: a reader thread, a {@link LinkWriter} and a {@link Watchdog}.
 *
 * <p>The reader decodes lines, types each frame with {@link ServerMessage#parse} and hands it to its
 * {@link Receiver}, in order. It never writes (a PONG is queued for the writer like everything else)
 * and never calls the application (the receiver posts events to the session's {@link EventThread}).
 * Between reads it waits while too many events wait for a slow listener: that is the client's only
 * back-pressure, and it holds back the socket instead of filling the heap.
 */
final class Link {
    private static final Logger log = LoggerFactory.getLogger(Link.class);
    /** Server lines carry up to max-text bytes of text, escaped, plus fields: 256 KiB is plenty. */
    private static final int MAX_LINE = 256 * 1024;

    /** Who the reader hands frames to; called on the reader thread. */
    interface Receiver {
        /** A frame arrived and was typed. */
        void received(Link link, ServerMessage message, Frame frame);

        /**
         * A line arrived that the client cannot read: not a frame ({@code frame} is {@code null}), or a
         * frame {@link ServerMessage#parse} refuses.
         */
        void unreadable(Link link, Frame frame, ProtocolException error);

        /** The connection ended (after the last frame); called once. */
        void ended(Link link);
    }

    final String tag;
    /** Completed by the WELCOME, or failed by an ERROR or the end of the connection before it. */
    final CompletableFuture<ServerMessage.Welcome> welcome = new CompletableFuture<>();
    volatile boolean registered;
    volatile String byeReason;
    /** The reason implied by a closing ERROR ({@code timeout}, {@code shutdown}, ...), if one came. */
    volatile String errorReason;
    /** Set by the watchdog when it closed the connection as dead. */
    volatile boolean idle;
    /** When the last bytes arrived (or the listener last held the reader back), on the session's clock. */
    volatile long lastInbound;

    private final Connection connection;
    private final String server;
    private final Scheduler clock;
    private final EventThread events;
    private final Receiver receiver;
    private final LinkWriter writer;
    private final Watchdog watchdog;
    private final CountDownLatch ended = new CountDownLatch(1);

    /**
     * @param tag the connection's id in logs and thread names
     * @param server a description of the server, for messages
     * @param idleTimeoutNanos the watchdog's timeout
     */
    Link(String tag, Connection connection, String server, Scheduler clock, EventThread events,
            long idleTimeoutNanos, Receiver receiver) {
        this.tag = tag;
        this.connection = connection;
        this.server = server;
        this.clock = clock;
        this.events = events;
        this.receiver = receiver;
        this.writer = new LinkWriter(tag, connection, clock);
        this.watchdog = new Watchdog(this, clock, idleTimeoutNanos);
        this.lastInbound = clock.nanoTime();
    }

    /** Starts the reader, the writer and the watchdog. */
    void start() {
        writer.start();
        Thread.ofVirtual().name("parley-client-reader-" + tag).start(this::readLoop);
        watchdog.start();
    }

    /** Queues a frame for the writer. Never blocks; false once the connection is closed. */
    boolean send(ClientMessage message) {
        byte[] line = FrameEncoder.encode(message.toFrame());
        return message instanceof ClientMessage.Pong ? writer.enqueueFree(line) : writer.enqueue(line);
    }

    /** Paces what the writer sends below the rate limit the server's WELCOME announced. */
    void paceAs(ServerMessage.RateLimit limit) {
        writer.pace(limit);
    }

    /**
     * Queues a frame unless more than {@code maxBytes} already wait to be written (the server is not
     * reading). Never blocks.
     */
    boolean offer(ClientMessage message, long maxBytes) {
        return writer.offer(FrameEncoder.encode(message.toFrame()), maxBytes);
    }

    /** How long the writer has been blocked in one write; 0 when it is not writing. */
    long writeStalledNanos(long now) {
        return writer.stalledNanos(now);
    }

    /** Whether the reader has finished (the connection is over). */
    boolean hasEnded() {
        return ended.getCount() == 0;
    }

    /** Waits until the reader has finished; false if it had not within the time. */
    boolean awaitEnd(long nanos) throws InterruptedException {
        return ended.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** Closes the connection at once; the reader then ends. Any thread, idempotent, never blocks. */
    void close() {
        connection.close();
        writer.close();
    }

    private void readLoop() {
        FrameDecoder decoder = new FrameDecoder(MAX_LINE);
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override
            public void frame(Frame frame) {
                ServerMessage message;
                try {
                    message = ServerMessage.parse(frame);
                } catch (ProtocolException e) {
                    receiver.unreadable(Link.this, frame, e);
                    return;
                }
                receiver.received(Link.this, message, frame);
            }

            @Override
            public void error(ProtocolException error) {
                receiver.unreadable(Link.this, null, error);
            }
        };
        byte[] buffer = new byte[16384];
        try {
            int n;
            while ((n = connection.read(buffer, 0, buffer.length)) >= 0) {
                lastInbound = clock.nanoTime();
                decoder.decode(buffer, 0, n, sink);
                // Back-pressure: a listener slower than the traffic holds back the socket, not
                // the heap (ChatClient.Builder#maxQueuedEvents).
                events.awaitRoom(() -> lastInbound = clock.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("{} read ended: {}", tag, e.toString());
        } catch (RuntimeException e) {
            log.warn("{} reader failed", tag, e);
        } finally {
            close();
            watchdog.stop();
            welcome.completeExceptionally(new ChatClientException("connection closed by " + server
                    + " during the handshake" + (byeReason != null ? " (" + byeReason + ")" : "")));
            ended.countDown();
            receiver.ended(this);
        }
    }
}
