package dev.parley.chat.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array that the protocol adapters encode into: the bytes a generator connection
 * still has to write. {@code start} marks what the socket has already taken.
 */
public final class Buf {
    byte[] bytes;
    int start;
    int end;

    public Buf(int capacity) {
        bytes = new byte[capacity];
    }

    /** Bytes waiting to be written. */
    public int pending() {
        return end - start;
    }

    /** Forgets everything. */
    public void clear() {
        start = 0;
        end = 0;
    }

    /** A copy of the waiting bytes (tests). */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(bytes, start, end);
    }

    private void ensure(int more) {
        if (end + more <= bytes.length) {
            return;
        }
        if (start > 0) {
            System.arraycopy(bytes, start, bytes, 0, end - start);
            end -= start;
            start = 0;
            if (end + more <= bytes.length) {
                return;
            }
        }
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, end + more));
    }

    public Buf put(byte b) {
        ensure(1);
        bytes[end++] = b;
        return this;
    }

    public Buf put(byte[] src) {
        return put(src, 0, src.length);
    }

    public Buf put(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, bytes, end, len);
        end += len;
        return this;
    }

    /** ASCII (or Latin-1) text, one byte per char. */
    public Buf ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[end++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** UTF-8 text. */
    public Buf utf8(String s) {
        return put(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A non-negative number in decimal. */
    public Buf decimal(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative: " + v);
        }
        ensure(20);
        if (v == 0) {
            bytes[end++] = '0';
            return this;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) {
            digits++;
        }
        int p = end + digits;
        for (long t = v; t > 0; t /= 10) {
            bytes[--p] = (byte) ('0' + (t % 10));
        }
        end += digits;
        return this;
    }

    /** Two bytes, big-endian (MQTT lengths). */
    public Buf u16(int v) {
        ensure(2);
        bytes[end++] = (byte) (v >>> 8);
        bytes[end++] = (byte) v;
        return this;
    }

    /** An MQTT "remaining length": 7 bits per byte, low first, high bit = more. */
    public Buf varint(int v) {
        if (v < 0 || v > 268_435_455) {
            throw new IllegalArgumentException("MQTT remaining length out of range: " + v);
        }
        ensure(4);
        do {
            int digit = v & 0x7F;
            v >>>= 7;
            bytes[end++] = (byte) (v > 0 ? digit | 0x80 : digit);
        } while (v > 0);
        return this;
    }
}
