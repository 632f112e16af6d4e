package dev.parley.chat.server;

import dev.parley.chat.net.internal.NonBlockingWrite;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * How a connection's writer thread ({@link Outbound}) writes the batch it took from the queue: in
 * chunks of at most {@link CopyingWrite#MAX_BYTES}, one write call each, and how long the current
 * write has waited for the peer.
 *
 * <p>One write call per chunk means a blocking write waits for the peer to take one chunk, never a
 * whole queue: so the clock measures the peer's progress (a peer that took no chunk for a while
 * stopped reading) and not how long the queue was, and each chunk written counts as progress. A
 * chunk is first copied into one direct buffer and written without waiting ({@link CopyingWrite});
 * what the socket did not take goes in a blocking gathering write. Only the writer thread calls
 * {@link #write}; any thread may read the clock.
 */
final class ChunkedWrite {
    private final Connection connection;
    /** The connection's non-blocking write, or null. */
    private final NonBlockingWrite direct;
    /** When the current chunk's write started, 0 if none (read by the reaper and room senders). */
    private volatile long startedNanos;

    ChunkedWrite(Connection connection, NonBlockingWrite direct) {
        this.connection = connection;
        this.direct = direct;
    }

    /**
     * Writes {@code batch} (its first frame from {@code offset} on), chunk by chunk, and reports each
     * chunk's bytes to {@code written} once they are out. The frames are never modified.
     *
     * @throws IOException if a write failed; the chunks reported before it are out
     */
    void write(byte[][] batch, int offset, LongConsumer written) throws IOException {
        int from = 0;
        while (from < batch.length) {
            int first = from == 0 ? offset : 0;
            int to = from + 1;
            long chunk = batch[from].length - first;
            while (to < batch.length && chunk + batch[to].length <= CopyingWrite.MAX_BYTES) {
                chunk += batch[to].length;
                to++;
            }
            startedNanos = System.nanoTime();
            try {
                long done = 0;
                if (direct != null && CopyingWrite.suits(to - from, chunk)) {
                    done = CopyingWrite.tryWrite(direct, batch, from, to, first);
                }
                if (done < chunk) {
                    connection.write(rest(batch, from, to, first, done)); // waits for room
                }
            } catch (IOException e) {
                startedNanos = 0;
                throw e;
            }
            // Not in a finally: a writer killed by an Error leaves its clock running, so the write
            // timeout still closes the connection it can no longer serve.
            startedNanos = 0;
            written.accept(chunk);
            from = to;
        }
    }

    /** Whether the current write has waited longer than {@code nanos} for the peer. */
    boolean blockedLongerThan(long nanos) {
        long started = startedNanos;
        return started != 0 && System.nanoTime() - started > nanos;
    }

    /** Nanos the current write has waited for the peer at {@code now}, 0 if none is under way. */
    long stalledNanos(long now) {
        long started = startedNanos;
        return started == 0 ? 0 : now - started;
    }

    /** Milliseconds the current write has waited, or -1 if none is under way: for a log line. */
    long waitedMillis() {
        long started = startedNanos;
        return started == 0 ? -1 : (System.nanoTime() - started) / 1_000_000;
    }

    /** Buffers over what is left of {@code frames[from..to)} once {@code written} bytes of it went out. */
    static ByteBuffer[] rest(byte[][] frames, int from, int to, int first, long written) {
        int i = from;
        long skip = written + first;
        while (skip >= frames[i].length && i < to - 1) {
            skip -= frames[i].length;
            i++;
        }
        ByteBuffer[] out = new ByteBuffer[to - i];
        out[0] = ByteBuffer.wrap(frames[i], (int) skip, frames[i].length - (int) skip);
        for (int k = 1; k < out.length; k++) {
            out[k] = ByteBuffer.wrap(frames[i + k]);
        }
        return out;
    }
}
