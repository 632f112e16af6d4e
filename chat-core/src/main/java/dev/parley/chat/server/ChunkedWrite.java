package dev.parley.chat.server;

import dev.parley.chat.net.internal.NonBlockingWrite;
import dev.parley.chat.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How a connection's writer thread ({@link Outbound}) writes the batch it took from the queue: in
 * chunks of at most {@link CopyingWrite#MAX_BYTES}, one write call each.
 *
 * <p>One write call per chunk means a blocking write waits for the peer to take one chunk, never a
 * whole queue: so the time the current write has waited measures the peer's progress (a peer that
 * took no chunk for a while stopped reading) and not how long the queue was, and each chunk written
 * counts as progress. A chunk is first copied into one direct buffer and written without waiting
 * ({@link CopyingWrite}); what the socket did not take goes in a blocking gathering write.
 *
 * <p>Stateless: the owner keeps the clock and the byte count ({@link Progress}), so a connection pays
 * no object for it.
 */
final class ChunkedWrite {
    private ChunkedWrite() {
    }

    /** What the writer's owner learns while the chunks go out; called on the writer thread. */
    interface Progress {
        /**
         * A chunk's write starts ({@code System.nanoTime()}), or, with 0, it is over. An {@code Error}
         * inside the write leaves the last start in place: a writer that died that way still looks
         * stalled, so the write timeout closes the connection it can no longer serve.
         */
        void writing(long startedNanos);

        /** A chunk of {@code bytes} is out. */
        void written(long bytes);
    }

    /**
     * Writes {@code batch} (its first frame from {@code offset} on), chunk by chunk, to
     * {@code connection}, merged through {@code direct} where there is one. The frames are never
     * modified.
     *
     * @throws IOException if a write failed; the chunks reported written before it are out
     */
    static void write(Connection connection, NonBlockingWrite direct, byte[][] batch, int offset, Progress progress)
            throws IOException {
        write(connection, direct, batch, batch.length, offset, progress);
    }

    /** {@link #write(Connection, NonBlockingWrite, byte[][], int, Progress)} of the first {@code count} frames of {@code batch}. */
    static void write(Connection connection, NonBlockingWrite direct, byte[][] batch, int count, int offset,
            Progress progress) throws IOException {
        int from = 0;
        while (from < count) {
            int first = from == 0 ? offset : 0;
            int to = from + 1;
            long chunk = batch[from].length - first;
            while (to < count && chunk + batch[to].length <= CopyingWrite.MAX_BYTES) {
                chunk += batch[to].length;
                to++;
            }
            progress.writing(System.nanoTime());
            try {
                long done = 0;
                if (direct != null && CopyingWrite.suits(to - from, chunk)) {
                    done = CopyingWrite.tryWrite(direct, batch, from, to, first);
                }
                if (done < chunk) {
                    connection.write(rest(batch, from, to, first, done)); // waits for room
                }
            } catch (IOException e) {
                progress.writing(0);
                throw e;
            }
            progress.writing(0); // not in a finally: see Progress.writing
            progress.written(chunk);
            from = to;
        }
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
