package dev.parley.chat.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * Redis pub/sub over RESP3 ({@code HELLO 3}), so that one connection both subscribes and publishes,
 * as a member of a Parley room does (with RESP2 a subscribed connection may not PUBLISH). Messages
 * arrive as push frames {@code >3 message <channel> <payload>}; a PUBLISH is confirmed by its integer reply.
 */
public final class RespWire implements Wire {
    private static final byte[] PUBLISH = "*3\r\n$7\r\nPUBLISH\r\n$".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void hello(String clientName, String room, Buf out) {
        out.ascii("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
        out.ascii("*2\r\n$9\r\nSUBSCRIBE\r\n$").decimal(room.length()).put(CRLF).ascii(room).put(CRLF);
    }

    @Override
    public void publish(String room, byte[] payload, Buf out) {
        out.put(PUBLISH).decimal(room.length()).put(CRLF).ascii(room).put(CRLF)
                .put((byte) '$').decimal(payload.length).put(CRLF).put(payload).put(CRLF);
    }

    @Override
    public boolean confirmsByEcho() {
        return false;
    }

    @Override
    public int parse(Client c, byte[] b, int off, int end, Events ev) {
        int i = off;
        while (i < end) {
            byte type = b[i];
            if (type == '>') {
                int next = push(c, b, i, end, ev);
                if (next < 0) {
                    return i;
                }
                i = next;
            } else if (type == ':') {
                int eol = eol(b, i, end);
                if (eol < 0) {
                    return i;
                }
                ev.confirmed(c);
                i = eol + 2;
            } else if (type == '-' || type == '!') {
                int next = skip(b, i, end);
                if (next < 0) {
                    return i;
                }
                ev.serverError(c, new String(b, i, Math.min(next - i, 200), StandardCharsets.UTF_8).trim());
                i = next;
            } else {
                int next = skip(b, i, end);
                if (next < 0) {
                    return i;
                }
                i = next;
            }
        }
        return i;
    }

    /** A push frame: {@code >N} then N values; returns the index after it, or -1 if incomplete. */
    private static int push(Client c, byte[] b, int i, int end, Events ev) {
        int eol = eol(b, i, end);
        if (eol < 0) {
            return -1;
        }
        long n = number(b, i + 1, eol);
        int p = eol + 2;
        int kindStart = -1;
        int kindLen = 0;
        int lastStart = -1;
        int lastLen = 0;
        for (long k = 0; k < n; k++) {
            if (p >= end) {
                return -1;
            }
            if (b[p] == '$') {
                int e2 = eol(b, p, end);
                if (e2 < 0) {
                    return -1;
                }
                int len = (int) number(b, p + 1, e2);
                int data = e2 + 2;
                if (data + len + 2 > end) {
                    return -1;
                }
                if (k == 0) {
                    kindStart = data;
                    kindLen = len;
                }
                lastStart = data;
                lastLen = len;
                p = data + len + 2;
            } else {
                int next = skip(b, p, end);
                if (next < 0) {
                    return -1;
                }
                p = next;
            }
        }
        if (n == 3 && kindLen == 7 && b[kindStart] == 'm') {
            ev.message(c, b, lastStart, lastLen);
        } else if (kindLen == 9 && b[kindStart] == 's') {
            ev.ready(c);
        }
        return p;
    }

    /** Skips one RESP2/RESP3 value; returns the index after it, or -1 if incomplete. */
    static int skip(byte[] b, int i, int end) {
        if (i >= end) {
            return -1;
        }
        int eol = eol(b, i, end);
        if (eol < 0) {
            return -1;
        }
        byte type = b[i];
        switch (type) {
            case '$', '!', '=' -> {
                long len = number(b, i + 1, eol);
                if (len < 0) {
                    return eol + 2; // RESP2 null bulk string
                }
                int next = eol + 2 + (int) len + 2;
                return next > end ? -1 : next;
            }
            case '*', '~', '>' -> {
                long n = number(b, i + 1, eol);
                int p = eol + 2;
                for (long k = 0; k < n; k++) {
                    p = skip(b, p, end);
                    if (p < 0) {
                        return -1;
                    }
                }
                return p;
            }
            case '%', '|' -> {
                long n = 2 * number(b, i + 1, eol);
                int p = eol + 2;
                for (long k = 0; k < n; k++) {
                    p = skip(b, p, end);
                    if (p < 0) {
                        return -1;
                    }
                }
                if (type == '|') {
                    return skip(b, p, end); // an attribute precedes the real value
                }
                return p;
            }
            default -> {
                return eol + 2; // + - : _ # , ( simple one-line values
            }
        }
    }

    /** Index of the CR of the next CRLF at or after i, or -1. */
    private static int eol(byte[] b, int i, int end) {
        for (int k = i; k < end - 1; k++) {
            if (b[k] == '\r' && b[k + 1] == '\n') {
                return k;
            }
        }
        return -1;
    }

    private static long number(byte[] b, int s, int e) {
        boolean negative = s < e && b[s] == '-';
        long v = 0;
        for (int k = negative ? s + 1 : s; k < e; k++) {
            v = v * 10 + (b[k] - '0');
        }
        return negative ? -v : v;
    }
}
