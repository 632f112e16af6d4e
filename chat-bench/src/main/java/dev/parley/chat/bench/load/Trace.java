package dev.parley.chat.bench.load;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Every delivery of a measurement window, one row each: when it was sent and received
 * ({@code System.nanoTime()} of the generator, which on Linux is the same CLOCK_MONOTONIC as a JVM's
 * {@code -Xlog} decoration {@code tn} and JFR's ticks, so slow messages can be matched with a
 * server's GC, safepoint or JFR events), and the sender's and receiver's index. Filled by the
 * generator's one thread; rows past the capacity are dropped and counted.
 */
public final class Trace {
    private final long[] sent;
    private final long[] received;
    private final int[] sender;
    private final int[] receiver;
    private int size;
    private long dropped;

    public Trace(int capacity) {
        sent = new long[capacity];
        received = new long[capacity];
        sender = new int[capacity];
        receiver = new int[capacity];
    }

    void record(long sentAt, long receivedAt, int from, int to) {
        if (size == sent.length) {
            dropped++;
            return;
        }
        sent[size] = sentAt;
        received[size] = receivedAt;
        sender[size] = from;
        receiver[size] = to;
        size++;
    }

    void reset() {
        size = 0;
        dropped = 0;
    }

    public int size() {
        return size;
    }

    public long dropped() {
        return dropped;
    }

    /** Writes {@code sent_ns received_ns latency_ns sender receiver} rows, tab-separated, with a header. */
    public void write(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            w.write("sent_ns\treceived_ns\tlatency_ns\tsender\treceiver\n");
            for (int i = 0; i < size; i++) {
                w.write(sent[i] + "\t" + received[i] + "\t" + (received[i] - sent[i]) + "\t" + sender[i] + "\t"
                        + receiver[i] + "\n");
            }
        }
    }
}
