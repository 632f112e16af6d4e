package dev.parley.chat.net.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds client frames byte by byte for tests: masked unless asked otherwise. */
public final class WsTestFrames {
    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private WsTestFrames() {
    }

    /** A masked frame. */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, opcode, payload, true);
    }

    /** A masked final text frame. */
    public static byte[] text(String s) {
        return frame(true, WsFrames.TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A frame, masked or not. */
    public static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        int m = masked ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(m | n);
        } else if (n <= 0xffff) {
            out.write(m | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)));
            }
        }
        if (masked) {
            out.writeBytes(MASK);
            for (int i = 0; i < n; i++) {
                out.write(payload[i] ^ MASK[i & 3]);
            }
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /** A masked frame header claiming a 64-bit payload length, without the payload. */
    public static byte[] header64(int opcode, long length) {
        byte[] h = new byte[14];
        h[0] = (byte) (0x80 | opcode);
        h[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        System.arraycopy(MASK, 0, h, 10, 4);
        return h;
    }

    /** A close payload: a status code and a UTF-8 reason. */
    public static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    /** Concatenates byte arrays. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
