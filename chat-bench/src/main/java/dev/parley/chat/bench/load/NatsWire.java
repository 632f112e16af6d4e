package dev.parley.chat.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * NATS core text protocol: CONNECT, SUB, PUB, MSG, PING/PONG. The subscription is confirmed by the
 * PONG answering the PING sent right after SUB; a publication by its own echo (NATS echoes to a
 * subscribed publisher by default), since PUB has no reply with {@code verbose:false}.
 */
public final class NatsWire implements Wire {
    private static final byte[] PUB = "PUB ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public void hello(String clientName, String room, Buf out) {
        out.ascii("CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":true,\"name\":\"")
                .ascii(clientName).ascii("\",\"lang\":\"java\",\"version\":\"parley-bench\",\"protocol\":1}\r\n");
        out.ascii("SUB ").ascii(room).ascii(" 1\r\nPING\r\n");
    }

    @Override
    public void publish(String room, byte[] payload, Buf out) {
        out.put(PUB).ascii(room).put((byte) ' ').decimal(payload.length).put(CRLF).put(payload).put(CRLF);
    }

    @Override
    public boolean confirmsByEcho() {
        return true;
    }

    @Override
    public int parse(Client c, byte[] b, int off, int end, Events ev) {
        int s = off;
        while (s < end) {
            int eol = -1;
            for (int i = s; i < end - 1; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    eol = i;
                    break;
                }
            }
            if (eol < 0) {
                return s;
            }
            if (eol - s >= 4 && b[s] == 'M' && b[s + 1] == 'S' && b[s + 2] == 'G' && b[s + 3] == ' ') {
                // MSG <subject> <sid> [reply-to] <#bytes>: the size is the last token.
                int k = eol;
                while (k > s && b[k - 1] != ' ') {
                    k--;
                }
                int size = 0;
                for (int i = k; i < eol; i++) {
                    size = size * 10 + (b[i] - '0');
                }
                int data = eol + 2;
                if (data + size + 2 > end) {
                    return s;
                }
                ev.message(c, b, data, size);
                s = data + size + 2;
                continue;
            }
            if (ParleyWire.startsWith(b, s, eol, "PING")) {
                c.out.put(PONG);
            } else if (ParleyWire.startsWith(b, s, eol, "PONG")) {
                ev.ready(c);
            } else if (ParleyWire.startsWith(b, s, eol, "-ERR")) {
                ev.serverError(c, new String(b, s, Math.min(eol - s, 200), StandardCharsets.UTF_8));
            }
            // INFO, +OK: nothing to do.
            s = eol + 2;
        }
        return s;
    }

    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
}
