package dev.parley.chat.bench.load;

/**
 * The bench message body: printable ASCII that every protocol carries unchanged.
 *
 * <pre>
 * offset 0..15  send time, System.nanoTime() as 16 lower-case hex digits
 * offset 16     '.'
 * offset 17..22 sender client index, 6 decimal digits
 * offset 23     '.'
 * offset 24..   filler up to the payload size
 * </pre>
 *
 * Generator and servers share one machine, so System.nanoTime() of the sender and the receiver
 * (both inside the generator process) are the same clock.
 */
public final class Payload {
    /** The smallest payload that holds the header. */
    public static final int HEADER = 24;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Payload() {
    }

    /** A new payload template of {@code size} bytes for sender {@code sender}, time not yet set. */
    public static byte[] template(int size, int sender) {
        if (size < HEADER) {
            throw new IllegalArgumentException("payload size must be at least " + HEADER + ", was " + size);
        }
        if (sender < 0 || sender > 999_999) {
            throw new IllegalArgumentException("sender index out of range: " + sender);
        }
        byte[] p = new byte[size];
        String filler = "parley-bench-payload-";
        for (int i = HEADER; i < size; i++) {
            p[i] = (byte) filler.charAt((i - HEADER) % filler.length());
        }
        p[16] = '.';
        p[23] = '.';
        int s = sender;
        for (int i = 22; i >= 17; i--) {
            p[i] = (byte) ('0' + s % 10);
            s /= 10;
        }
        return p;
    }

    /** Writes the send time into a template. */
    public static void stamp(byte[] payload, long nanoTime) {
        long t = nanoTime;
        for (int i = 15; i >= 0; i--) {
            payload[i] = HEX[(int) (t & 0xF)];
            t >>>= 4;
        }
    }

    /** The send time in a received payload, or {@code Long.MIN_VALUE} if it is not a bench payload. */
    public static long time(byte[] b, int off, int len) {
        if (len < HEADER || b[off + 16] != '.' || b[off + 23] != '.') {
            return Long.MIN_VALUE;
        }
        long t = 0;
        for (int i = 0; i < 16; i++) {
            int c = b[off + i];
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else {
                return Long.MIN_VALUE;
            }
            t = (t << 4) | d;
        }
        return t;
    }

    /** The sender index in a received payload, or -1 if it is not a bench payload. */
    public static int sender(byte[] b, int off, int len) {
        if (len < HEADER || b[off + 23] != '.') {
            return -1;
        }
        int s = 0;
        for (int i = 17; i <= 22; i++) {
            int c = b[off + i] - '0';
            if (c < 0 || c > 9) {
                return -1;
            }
            s = s * 10 + c;
        }
        return s;
    }
}
