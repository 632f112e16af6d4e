package dev.parley.chat.net.internal;

/**
 * Strict UTF-8 validation (RFC 3629) without decoding: rejects overlong forms, surrogates, code
 * points above U+10FFFF and truncated sequences. A WebSocket text message that fails it is closed
 * with 1007.
 */
public final class WsUtf8 {
    private WsUtf8() {
    }

    /** Whether {@code b[off, off+len)} is well-formed UTF-8. */
    public static boolean isValid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                min = 0x10000;
            } else {
                return false; // continuation byte first, 0xc0/0xc1 (always overlong), 0xf5..0xff
            }
            if (i + need >= end) {
                return false; // truncated sequence
            }
            int cp = c & (0x3f >> need);
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cc & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                return false;
            }
            i += need + 1;
        }
        return true;
    }
}
