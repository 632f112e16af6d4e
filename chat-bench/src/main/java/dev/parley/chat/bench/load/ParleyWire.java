package dev.parley.chat.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * Parley protocol v1 (PROTOCOL.md) as a bench client needs it: HELLO + JOIN, SEND, HISTORY, and a
 * line scanner that recognises MSG, ACK, own JOINED (the one with {@code head=}), END, PING, ERROR and BYE.
 */
public final class ParleyWire implements Wire {
    private static final byte[] SEND_ROOM = "SEND room=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = " :".getBytes(StandardCharsets.US_ASCII);

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
            int lf = -1;
            for (int i = s; i < end; i++) {
                if (b[i] == '\n') {
                    lf = i;
                    break;
                }
            }
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
            // Field values hold no spaces, so the first " :" starts the text.
            for (int i = s + 4; i < e - 1; i++) {
                if (b[i] == ' ' && b[i + 1] == ':') {
                    ev.message(c, b, i + 2, e - i - 2);
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
