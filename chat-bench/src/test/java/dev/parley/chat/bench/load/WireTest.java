package dev.parley.chat.bench.load;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The generator's protocol adapters: the exact bytes they send, and that their parsers find the same
 * events however the server's bytes are split across reads.
 */
class WireTest {
    private static final byte[] PAYLOAD = payload();

    private static byte[] payload() {
        byte[] p = Payload.template(40, 7);
        Payload.stamp(p, 0x0123_4567_89ab_cdefL);
        return p;
    }

    /** Records events as text. */
    static final class Recorder implements Wire.Events {
        final List<String> events = new ArrayList<>();

        @Override
        public void ready(Client c) {
            events.add("ready");
        }

        @Override
        public void message(Client c, byte[] b, int off, int len) {
            events.add("message " + new String(b, off, len, StandardCharsets.US_ASCII));
        }

        @Override
        public void confirmed(Client c) {
            events.add("confirmed");
        }

        @Override
        public void endOfReply(Client c) {
            events.add("end");
        }

        @Override
        public void serverError(Client c, String text) {
            events.add("error " + text);
        }
    }

    /** Feeds {@code input} split at {@code cut}, carrying the unparsed tail over as the generator does. */
    private static List<String> parse(Wire wire, Client c, byte[] input, int cut) {
        Recorder r = new Recorder();
        byte[] buf = new byte[input.length];
        int have = 0;
        for (int[] part : new int[][] {{0, cut}, {cut, input.length}}) {
            System.arraycopy(input, part[0], buf, have, part[1] - part[0]);
            int end = have + part[1] - part[0];
            int used = wire.parse(c, buf, 0, end, r);
            System.arraycopy(buf, used, buf, 0, end - used);
            have = end - used;
        }
        assertEquals(0, have, "bytes left unparsed");
        return r.events;
    }

    private static void assertSplitInvariant(Wire wire, byte[] input, List<String> expected) {
        for (int cut = 0; cut <= input.length; cut++) {
            Client c = new Client(0, "c", "room", Client.Mode.LISTEN, 40);
            assertEquals(expected, parse(wire, c, input, cut), "split at " + cut);
        }
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : p.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    private static String text(Buf b) {
        return new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    private static final String P = new String(PAYLOAD, StandardCharsets.US_ASCII);

    @Test
    void payloadCarriesSendTimeAndSender() {
        assertEquals("0123456789abcdef.000007.", P.substring(0, 24));
        assertEquals(0x0123_4567_89ab_cdefL, Payload.time(PAYLOAD, 0, PAYLOAD.length));
        assertEquals(7, Payload.sender(PAYLOAD, 0, PAYLOAD.length));
        byte[] negative = Payload.template(30, 1);
        Payload.stamp(negative, -2);
        assertEquals(-2, Payload.time(negative, 0, negative.length));
        assertEquals(Long.MIN_VALUE, Payload.time("not a bench payload at all".getBytes(StandardCharsets.US_ASCII), 0, 26));
        assertEquals(-1, Payload.sender("short".getBytes(StandardCharsets.US_ASCII), 0, 5));
    }

    @Test
    void parleyEncodesAndParses() {
        ParleyWire w = new ParleyWire();
        Buf out = new Buf(8);
        w.hello("u1", "lobby", out);
        w.publish("lobby", PAYLOAD, out);
        w.history("lobby", 900, 50, 3, out);
        assertEquals("HELLO proto=1 name=u1\nJOIN room=lobby\nSEND room=lobby :" + P
                + "\nHISTORY room=lobby before=900 limit=50 ref=3\n", text(out));

        byte[] server = bytes("WELCOME proto=1 name=u1 server=parley/0.1.0 max-line=16384 max-text=4096\r\n",
                "JOINED room=lobby name=u2\n",
                "JOINED room=lobby name=u1 head=0\n",
                "MSG room=lobby seq=1 from=u2 time=2026-11-23T10:00:00.123Z :", PAYLOAD, "\n",
                "ACK room=lobby seq=2 time=2026-11-23T10:00:00.124Z\n",
                "END ref=3 count=0 more=0\n",
                "ERROR code=RATE_LIMITED :slow down\n");
        assertSplitInvariant(w, server, List.of("ready", "message " + P, "confirmed", "end",
                "error ERROR code=RATE_LIMITED :slow down"));
    }

    @Test
    void parleyFindsBytesEightAtATimeAsOneAtATime() {
        java.util.Random random = new java.util.Random(20261204);
        byte[] interesting = {'\n', ':', ' ', '\r', 0, (byte) 0x80, (byte) 0xff, 0x0b, 0x09, 0x3b, 0x39, 'a'};
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : interesting[random.nextInt(interesting.length)];
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            int end = from + random.nextInt(b.length - from + 1);
            for (byte x : new byte[] {'\n', ':'}) {
                int naive = -1;
                for (int i = from; i < end; i++) {
                    if (b[i] == x) {
                        naive = i;
                        break;
                    }
                }
                assertEquals(naive, ParleyWire.indexOf(b, from, end, x), () -> java.util.Arrays.toString(b));
            }
        }
    }

    @Test
    void parleyAnswersPing() {
        Client c = new Client(0, "c", "room", Client.Mode.LISTEN, 40);
        byte[] ping = bytes("PING token=abc\n");
        new ParleyWire().parse(c, ping, 0, ping.length, new Recorder());
        assertEquals("PONG token=abc\n", text(c.out()));
    }

    @Test
    void redisSpeaksResp3() {
        RespWire w = new RespWire();
        Buf out = new Buf(8);
        w.hello("u1", "lobby", out);
        w.publish("lobby", PAYLOAD, out);
        assertEquals("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*2\r\n$9\r\nSUBSCRIBE\r\n$5\r\nlobby\r\n"
                + "*3\r\n$7\r\nPUBLISH\r\n$5\r\nlobby\r\n$40\r\n" + P + "\r\n", text(out));

        byte[] server = bytes(
                "%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n",
                ">3\r\n$9\r\nsubscribe\r\n$5\r\nlobby\r\n:1\r\n",
                ":2\r\n",
                ">3\r\n$7\r\nmessage\r\n$5\r\nlobby\r\n$40\r\n", PAYLOAD, "\r\n",
                "-ERR unknown command\r\n");
        assertSplitInvariant(w, server, List.of("ready", "confirmed", "message " + P, "error -ERR unknown command"));
    }

    @Test
    void natsSpeaksTheTextProtocol() {
        NatsWire w = new NatsWire();
        Buf out = new Buf(8);
        w.publish("lobby", PAYLOAD, out);
        assertEquals("PUB lobby 40\r\n" + P + "\r\n", text(out));
        out.clear();
        w.hello("u1", "lobby", out);
        String hello = text(out);
        assertEquals(true, hello.startsWith("CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":true,"));
        assertEquals(true, hello.endsWith("}\r\nSUB lobby 1\r\nPING\r\n"));

        byte[] server = bytes("INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n", "PONG\r\n",
                "MSG lobby 1 40\r\n", PAYLOAD, "\r\n",
                "MSG lobby 1 reply.to 40\r\n", PAYLOAD, "\r\n",
                "-ERR 'Slow Consumer'\r\n");
        assertSplitInvariant(w, server, List.of("ready", "message " + P, "message " + P, "error -ERR 'Slow Consumer'"));

        Client c = new Client(0, "c", "room", Client.Mode.LISTEN, 40);
        byte[] ping = bytes("PING\r\n");
        w.parse(c, ping, 0, ping.length, new Recorder());
        assertEquals("PONG\r\n", text(c.out()));
    }

    @Test
    void mqttSpeaksBinaryPackets() {
        MqttWire w = new MqttWire();
        Buf out = new Buf(8);
        w.hello("u1", "lobby", out);
        assertArrayEquals(bytes(
                new byte[] {0x10, 14, 0, 4}, "MQTT", new byte[] {4, 0x02, 0, 0, 0, 2}, "u1",
                new byte[] {(byte) 0x82, 10, 0, 1, 0, 5}, "lobby", new byte[] {0}), out.toByteArray());
        out.clear();
        w.publish("lobby", PAYLOAD, out);
        assertArrayEquals(bytes(new byte[] {0x30, 47, 0, 5}, "lobby", PAYLOAD), out.toByteArray());

        byte[] big = new byte[200];
        System.arraycopy(PAYLOAD, 0, big, 0, PAYLOAD.length);
        byte[] server = bytes(new byte[] {0x20, 2, 0, 0},
                new byte[] {(byte) 0x90, 3, 0, 1, 0},
                new byte[] {0x30, 47, 0, 5}, "lobby", PAYLOAD,
                // remaining length 207 takes two bytes: 0xCF 0x01
                new byte[] {0x30, (byte) 0xCF, 0x01, 0, 5}, "lobby", big,
                new byte[] {(byte) 0xD0, 0});
        String bigText = new String(big, StandardCharsets.ISO_8859_1);
        assertSplitInvariant(w, server, List.of("ready", "message " + P, "message " + bigText));
    }

    @Test
    void bufGrowsAndEncodesNumbers() {
        Buf b = new Buf(1);
        b.decimal(0).ascii(" ").decimal(1234567890123L).ascii(" ").varint(127).varint(128).varint(16384);
        assertArrayEquals(bytes("0 1234567890123 ", new byte[] {127, (byte) 0x80, 1, (byte) 0x80, (byte) 0x80, 1}),
                b.toByteArray());
    }
}
