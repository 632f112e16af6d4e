package dev.parley.chat.bench.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Parley protocol v1 (PROTOCOL.md) as a bench client needs it: HELLO + JOIN, SEND, HISTORY, and a
 * line scanner that recognises MSG, ACK, own JOINED (the one with {@code head=}), END, PING, ERROR and BYE.
 *
 * <p>The scanner looks for a line's end and a MSG's {@code " :"} eight bytes at a time ({@link
 * #indexOf}). A line protocol makes its reader look at every byte of a message, where RESP, NATS and
 * MQTT give the payload's length and their adapters skip it; a byte-at-a-time scan made the generator
 * pay 1.5x more per Parley delivery than per Redis delivery, and its one thread was 85-91 % busy at
 * 7.5-8.5 million Parley deliveries a second: fan-out's closed loop delivered a fifth more once it
 * scanned this way (BENCHMARKS.md).
 */
public final class ParleyWire implements Wire {
    private static final byte[] SEND_ROOM = "SEND room=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = " :".getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;

    @Override
    public String name() {
        return "parley";
    }

    @Override
    public void hello(String clientName, String room, Buf out) {
        out.ascii("HELLO proto=1 name=").ascii(clientName).put((byte) '\n');
        out.ascii("JOIN room=").ascii(room).put((byte) '\n');
    }

    @Override
    public void publish(String room, byte[] payload, Buf out) {
        out.put(SEND_ROOM).ascii(room).put(TEXT).put(payload).put((byte) '\n');
    }

    /** A HISTORY request for the {@code limit} messages before {@code beforeSeq}. */
    public void history(String room, long beforeSeq, int limit, long ref, Buf out) {
        out.ascii("HISTORY room=").ascii(room).ascii(" before=").decimal(beforeSeq)
                .ascii(" limit=").decimal(limit).ascii(" ref=").decimal(ref).put((byte) '\n');
    }

    @Override
    public boolean confirmsByEcho() {
        return false;
    }

    @Override
    public int parse(Client c, byte[] b, int off, int end, Events ev) {
        int s = off;
        while (s < end) {
            int lf = indexOf(b, s, end, (byte) '\n');
            if (lf < 0) {
                return s;
            }
            int e = lf > s && b[lf - 1] == '\r' ? lf - 1 : lf;
            line(c, b, s, e, ev);
            s = lf + 1;
        }
        return s;
    }

    private static void line(Client c, byte[] b, int s, int e, Events ev) {
        int n = e - s;
        if (n >= 4 && b[s] == 'M' && b[s + 1] == 'S' && b[s + 2] == 'G' && b[s + 3] == ' ') {
            // Field values hold no spaces, so the first " :" starts the text (a time holds ':').
            for (int i = indexOf(b, s + 5, e, (byte) ':'); i >= 0; i = indexOf(b, i + 1, e, (byte) ':')) {
                if (b[i - 1] == ' ') {
                    ev.message(c, b, i + 1, e - i - 1);
                    return;
                }
            }
            return;
        }
        if (n >= 4 && b[s] == 'A' && b[s + 1] == 'C' && b[s + 2] == 'K' && b[s + 3] == ' ') {
            ev.confirmed(c);
            return;
        }
        if (n >= 4 && b[s] == 'E' && b[s + 1] == 'N' && b[s + 2] == 'D' && b[s + 3] == ' ') {
            ev.endOfReply(c);
            return;
        }
        if (startsWith(b, s, e, "JOINED ")) {
            if (contains(b, s, e, " head=")) {
                ev.ready(c);
            }
            return;
        }
        if (startsWith(b, s, e, "PING")) {
            c.out.ascii("PONG").put(b, s + 4, n - 4).put((byte) '\n');
            return;
        }
        if (startsWith(b, s, e, "ERROR ") || startsWith(b, s, e, "BYE")) {
            ev.serverError(c, new String(b, s, Math.min(n, 200), StandardCharsets.UTF_8));
        }
    }

    /**
     * The index of the first {@code x} in {@code b[from, end)}, or -1: eight bytes per step, with the
     * "has a zero byte" test on the bytes XOR {@code x} (a borrow can only mark bytes after the first
     * match, and the lowest mark is taken).
     */
    static int indexOf(byte[] b, int from, int end, byte x) {
        long pattern = ONES * (x & 0xff);
        int i = from;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long v = (long) LONGS.get(b, i) ^ pattern;
            long found = (v - ONES) & ~v & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    static boolean startsWith(byte[] b, int s, int e, String prefix) {
        int n = prefix.length();
        if (e - s < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[s + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean contains(byte[] b, int s, int e, String needle) {
        int n = needle.length();
        outer:
        for (int i = s; i <= e - n; i++) {
            for (int j = 0; j < n; j++) {
                if (b[i + j] != needle.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
