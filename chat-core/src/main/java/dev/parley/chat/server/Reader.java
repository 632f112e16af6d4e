package dev.parley.chat.server;

import dev.parley.chat.net.internal.InputChunks;
import dev.parley.chat.net.internal.Poller;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's reader: reads its input, decodes it and gives each line to the {@link Dispatcher},
 * then stores that read's SENDs ({@link SendPipeline#flush}) and sends its replies in one go
 * ({@link Replies#flush}).
 *
 * <p>On a transport with {@link InputChunks} (plain TCP) a reader thread lasts as long as there is
 * input: when nothing is left to read it leaves a callback with the transport and its thread ends,
 * and the callback starts the next reader thread ({@link Session#resume}) when input, its end or the
 * close arrives. So an idle connection holds no thread. Other transports are read by blocking, and
 * their reader parks between reads. Either way one thread at a time reads: the state here is the
 * reader's, without a lock (successive reader threads are ordered by the transport's lock, under
 * which one leaves the callback and the poller takes it).
 *
 * <p>Where nothing a request does can block or run application code (the built-in in-memory store,
 * filter and access policy, no cluster: {@link #nothingBlocks}), the callback does not start a thread
 * when the polling thread runs it for an established connection: the polling thread handles that
 * input itself ({@link Session#resume} in place), as an event loop would, which saves a thread
 * hand-off per message. It never waits there: a back-pressure wait it would need is owed
 * ({@link Waits}) and the reading goes on in a reader thread, which pays it first; so does the
 * finish. {@code HELLO} (an {@link Authenticator} may block) always runs on a reader thread.
 */
final class Reader {
    private static final Logger log = LoggerFactory.getLogger(Reader.class);
    /** The buffer of blocking reads, while the peer is quiet and once a read filled it. */
    private static final int SMALL_READ_BUFFER = 512;
    private static final int LARGE_READ_BUFFER = 8192;
    /**
     * The most input the polling thread handles in place: a read or two of a conversation; a larger
     * one (a sender with many requests in flight) goes to a reader thread, so that it is handled beside
     * the poller rather than on it.
     */
    private static final int ON_POLLER_MAX_BYTES = 1024;

    private final Session session;
    private final Connection connection;
    /** The transport's input in pieces, read without waiting (plain TCP); null: blocking reads. */
    private final InputChunks chunks;
    private final Counters counters;
    private final long maxDiscardedLine;
    private final FrameDecoder decoder;
    private final FrameDecoder.Sink sink;
    /** Left with the transport by a reader that found nothing to read: starts the next reader. */
    private final Runnable startReader = this::startReader;
    /** The buffer of blocking reads, small until a read fills it; made by the first read. */
    private byte[] readBuffer;
    /** The peer ended its stream or the connection failed. */
    private boolean inputEnded;
    /** Input taken on the polling thread and handed to the reader thread it started. */
    private byte[] handedOver;
    /** Whether the polling thread may handle an established connection's input ({@link #nothingBlocks}). */
    private final boolean onPollerAllowed;

    Reader(Session session, Connection connection, Dispatcher dispatcher, Counters counters, Settings s) {
        this.session = session;
        this.connection = connection;
        this.chunks = connection instanceof InputChunks c ? c : null;
        this.counters = counters;
        this.maxDiscardedLine = s.maxDiscardedLine();
        this.onPollerAllowed = chunks != null && nothingBlocks(s);
        this.decoder = new FrameDecoder(s.maxLineLength());
        this.sink = new FrameDecoder.Sink() {
            @Override
            public void frame(Frame frame) {
                dispatcher.frame(session, frame);
            }

            @Override
            public void error(ProtocolException error) {
                dispatcher.decodeError(session, error);
            }

            @Override
            public void emptyLine() {
                dispatcher.emptyLine(session);
            }
        };
    }

    /**
     * Reads and handles input until the connection closes (returns false: the caller finishes the
     * session), or, on a transport with {@link InputChunks}, until nothing is left to read (returns
     * true: this thread ends, and the transport starts a new reader when there is input again). On
     * the polling thread it also returns true once it started a reader thread to go on (a large read,
     * an owed wait).
     */
    boolean readLoop() {
        session.waits.pay();
        while (session.close.isOpen()) {
            byte[] input;
            int n;
            try {
                if (handedOver != null) {
                    input = handedOver;
                    handedOver = null;
                    n = input.length;
                } else if (chunks != null) {
                    input = chunks.takeOrCallBack(startReader);
                    if (input == InputChunks.NOTHING) {
                        return true;
                    }
                    n = input == null ? -1 : input.length;
                } else {
                    // Small while the peer is quiet (most connections are idle: this is per
                    // connection), grown once a read fills it, so a busy sender is read in large gulps.
                    if (readBuffer == null) {
                        readBuffer = new byte[SMALL_READ_BUFFER];
                    }
                    input = readBuffer;
                    n = connection.read(input, 0, input.length);
                    if (n == input.length && input.length < LARGE_READ_BUFFER) {
                        readBuffer = new byte[LARGE_READ_BUFFER];
                    }
                }
            } catch (IOException e) {
                log.debug("{} read ended: {}", session, e.toString());
                inputEnded = true;
                return false;
            }
            if (n < 0) {
                log.debug("{} peer closed the connection", session);
                inputEnded = true;
                return false;
            }
            if (n > ON_POLLER_MAX_BYTES && Poller.onPollerThread()) {
                // A batch of requests (a busy sender): a reader thread takes it, beside the poller.
                handedOver = input;
                startThread(session::resume);
                return true;
            }
            if (n > 0 && !handle(input, n)) {
                return false;
            }
            if (session.waits.owing()) {
                // Only on the polling thread: a reader thread pays the waits, then reads on.
                startThread(session::resume);
                return true;
            }
        }
        return false;
    }

    /** Decodes and handles one read's bytes; false if the connection is closing and reads no more. */
    private boolean handle(byte[] input, int n) {
        counters.bytesIn(n);
        CloseState close = session.close;
        if (!close.beginRead()) {
            return false;
        }
        CloseState.Deferred deferred;
        try {
            decoder.decode(input, 0, n, sink);
            if (decoder.discarded() > maxDiscardedLine) {
                // The line had its one LINE_TOO_LONG when it passed max-line: only BYE now.
                session.terminate(DisconnectReason.LINE_TOO_LONG, null, null, null);
            }
        } finally {
            session.sends.flush();
            session.replies.flush();
            deferred = close.endRead();
        }
        if (deferred != null) {
            session.completeClose(deferred.reason(), deferred.lastFrames());
        }
        return true;
    }

    /** The callback left with the transport: handles the input in place where it may, else starts a reader. */
    private void startReader() {
        if (onPollerAllowed && session.user != null && Poller.onPollerThread()) {
            session.resume();
        } else {
            startThread(session::resume);
        }
    }

    /** Starts a reader thread for the connection, running {@code task}. */
    void startThread(Runnable task) {
        Thread.ofVirtual().name("parley-c" + session.id).start(task);
    }

    /**
     * Whether nothing an established connection's request does can block or run application code:
     * the store is the built-in in-memory one, the filter and the access policy are the built-in
     * defaults, and there is no cluster (whose presence and bus may block on the network).
     */
    static boolean nothingBlocks(Settings s) {
        return s.store() instanceof InMemoryMessageStore
                && s.filter() == Defaults.ACCEPT_ALL
                && s.accessPolicy() == Defaults.ALLOW_ALL
                && s.cluster() == null;
    }

    /** Whether the peer ended its stream or the connection failed (nothing more will come). */
    boolean inputEnded() {
        return inputEnded;
    }

    /**
     * Reads and drops input until the peer closes or the connection is closed (the reaper's close
     * deadline bounds it): closing a socket with unread input would reset it and could destroy the
     * last frames before the peer reads them.
     */
    void linger() {
        byte[] discard = new byte[4096];
        try {
            while (connection.read(discard, 0, discard.length) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // closed by the reaper at the deadline, or reset by the peer
        }
    }
}
