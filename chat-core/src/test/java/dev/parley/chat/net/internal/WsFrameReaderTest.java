package dev.parley.chat.net.internal;

import static dev.parley.chat.net.internal.WsTestFrames.concat;
import static dev.parley.chat.net.internal.WsTestFrames.frame;
import static dev.parley.chat.net.internal.WsTestFrames.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WsFrameReaderTest {
    private static final int MAX = 1024;

    private static WsFrameReader reader(byte[] input) {
        return new WsFrameReader(new ByteArrayInputStream(input), MAX);
    }

    /** Hands out one byte per read call, as a slow network would. */
    private static WsFrameReader trickle(byte[] input) {
        InputStream in = new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < input.length ? input[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= input.length) {
                    return -1;
                }
                b[off] = input[pos++];
                return 1;
            }
        };
        return new WsFrameReader(in, MAX);
    }

    private static String message(WsFrameReader r) {
        return new String(r.message(), 0, r.messageLength(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int closeCode(byte[] input) {
        WsCloseException e = assertThrows(WsCloseException.class, () -> {
            WsFrameReader r = reader(input);
            while (r.next() != WsFrameReader.Kind.END) {
                // read on until the violation
            }
        });
        return e.code();
    }

    @Test
    void readsMaskedTextMessages() throws IOException {
        WsFrameReader r = reader(concat(text("HELLO proto=1 name=ann"), text("JOIN room=lobby")));
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("HELLO proto=1 name=ann", message(r));
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("JOIN room=lobby", message(r));
        assertEquals(WsFrameReader.Kind.END, r.next());
    }

    @Test
    void readsOneByteAtATime() throws IOException {
        String longText = "SEND room=lobby :" + "x".repeat(300); // 16-bit length form
        WsFrameReader r = trickle(concat(text("PING"), text(longText)));
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("PING", message(r));
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals(longText, message(r));
        assertEquals(WsFrameReader.Kind.END, r.next());
    }

    @Test
    void reassemblesFragmentsWithAPingInBetween() throws IOException {
        byte[] input = concat(
                frame(false, WsFrames.TEXT, utf8("SEND room=lobby ")),
                frame(true, WsFrames.PING, utf8("are you there")),
                frame(false, WsFrames.CONTINUATION, utf8(":héllo")),
                frame(true, WsFrames.PONG, utf8("")),
                frame(true, WsFrames.CONTINUATION, utf8(" world")));
        WsFrameReader r = reader(input);
        assertEquals(WsFrameReader.Kind.PING, r.next());
        assertArrayEquals(utf8("are you there"), r.controlPayload());
        assertEquals(WsFrameReader.Kind.PONG, r.next());
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("SEND room=lobby :héllo world", message(r));
    }

    @Test
    void aCharacterMaySpanFragments() throws IOException {
        byte[] check = utf8("✓");
        byte[] input = concat(
                frame(false, WsFrames.TEXT, new byte[] {check[0]}),
                frame(true, WsFrames.CONTINUATION, new byte[] {check[1], check[2]}));
        WsFrameReader r = reader(input);
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("✓", message(r));
    }

    @Test
    void readsCloseFrames() throws IOException {
        WsFrameReader r = reader(frame(true, WsFrames.CLOSE, WsTestFrames.closePayload(1001, "bye")));
        assertEquals(WsFrameReader.Kind.CLOSE, r.next());
        assertEquals(1001, r.closeCode());
        assertEquals("bye", r.closeReason());

        WsFrameReader empty = reader(frame(true, WsFrames.CLOSE, new byte[0]));
        assertEquals(WsFrameReader.Kind.CLOSE, empty.next());
        assertEquals(WsFrames.NO_STATUS, empty.closeCode());
    }

    @Test
    void unmaskedFrameIsAProtocolError() {
        assertEquals(1002, closeCode(frame(true, WsFrames.TEXT, utf8("PING"), false)));
    }

    @Test
    void reservedBitsAndUnknownOpcodesAreProtocolErrors() {
        byte[] rsv = text("PING");
        rsv[0] |= 0x40;
        assertEquals(1002, closeCode(rsv));
        assertEquals(1002, closeCode(frame(true, 0x3, utf8("x"))));
        assertEquals(1002, closeCode(frame(true, 0xB, utf8("x"))));
    }

    @Test
    void controlFrameRulesAreEnforced() {
        assertEquals(1002, closeCode(frame(false, WsFrames.PING, utf8("x"))), "fragmented ping");
        assertEquals(1002, closeCode(frame(true, WsFrames.PING, new byte[126])), "ping over 125 bytes");
        assertEquals(1002, closeCode(frame(true, WsFrames.CLOSE, new byte[] {3})), "1-byte close payload");
        assertEquals(1002, closeCode(frame(true, WsFrames.CLOSE, WsTestFrames.closePayload(1005, ""))),
                "1005 may not be sent");
        assertEquals(1002, closeCode(frame(true, WsFrames.CLOSE, WsTestFrames.closePayload(999, ""))));
        assertEquals(1007, closeCode(frame(true, WsFrames.CLOSE,
                concat(WsTestFrames.closePayload(1000, ""), new byte[] {(byte) 0xff}))), "reason not UTF-8");
    }

    @Test
    void fragmentationRulesAreEnforced() {
        assertEquals(1002, closeCode(frame(true, WsFrames.CONTINUATION, utf8("x"))), "continuation first");
        assertEquals(1002, closeCode(concat(frame(false, WsFrames.TEXT, utf8("a")), text("b"))),
                "new text inside a message");
    }

    @Test
    void binaryIsUnsupportedData() {
        assertEquals(1003, closeCode(frame(true, WsFrames.BINARY, new byte[] {1, 2, 3})));
    }

    @Test
    void invalidUtf8IsInvalidPayload() {
        assertEquals(1007, closeCode(frame(true, WsFrames.TEXT, new byte[] {'h', 'i', (byte) 0xc0, (byte) 0x80})));
        assertEquals(1007, closeCode(concat(
                frame(false, WsFrames.TEXT, new byte[] {(byte) 0xe2}),
                frame(true, WsFrames.CONTINUATION, new byte[] {(byte) 0x9c}))), "truncated across fragments");
    }

    @Test
    void oversizeFrameIsRefusedFromItsHeaderAlone() {
        // Only the header is sent: the reader must refuse before it waits for (or allocates) a payload.
        assertEquals(1009, closeCode(WsTestFrames.header64(WsFrames.TEXT, 1L << 40)));
        assertEquals(1009, closeCode(WsTestFrames.header64(WsFrames.TEXT, MAX + 1)));
        assertEquals(1009, closeCode(WsTestFrames.header64(WsFrames.TEXT, Integer.MAX_VALUE + 1L)));
    }

    @Test
    void fragmentsCountTowardsTheMessageSize() {
        byte[] input = concat(
                frame(false, WsFrames.TEXT, new byte[MAX - 10]),
                WsTestFrames.header64(WsFrames.CONTINUATION, 11));
        assertEquals(1009, closeCode(input));
    }

    @Test
    void messageOfExactlyTheMaximumIsAccepted() throws IOException {
        byte[] payload = utf8("a".repeat(MAX));
        WsFrameReader r = reader(frame(true, WsFrames.TEXT, payload));
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals(MAX, r.messageLength());
    }

    @Test
    void sixtyFourBitLengthWithTheTopBitSetIsAProtocolError() {
        assertEquals(1002, closeCode(WsTestFrames.header64(WsFrames.TEXT, 0x8000_0000_0000_0000L)));
        assertEquals(1002, closeCode(WsTestFrames.header64(WsFrames.TEXT, -1L)));
    }

    @Test
    void endInsideAFrameIsAnEofError() {
        byte[] whole = text("HELLO");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 2);
        assertThrows(EOFException.class, () -> reader(cut).next());
        assertThrows(EOFException.class, () -> reader(frame(false, WsFrames.TEXT, utf8("a"))).next());
    }

    @Test
    void endlessFragmentsCloseWith1008() throws IOException {
        byte[][] parts = new byte[WsFrameReader.MAX_FRAGMENTS + 1][];
        parts[0] = frame(false, WsFrames.TEXT, new byte[0]);
        for (int i = 1; i < parts.length; i++) {
            parts[i] = frame(false, WsFrames.CONTINUATION, new byte[0]);
        }
        assertEquals(WsFrames.POLICY_VIOLATION, closeCode(concat(parts)));

        // Exactly MAX_FRAGMENTS frames are fine, and the count starts again with the next message.
        byte[][] ok = new byte[WsFrameReader.MAX_FRAGMENTS][];
        ok[0] = frame(false, WsFrames.TEXT, utf8("a"));
        for (int i = 1; i < ok.length - 1; i++) {
            ok[i] = frame(false, WsFrames.CONTINUATION, new byte[0]);
        }
        ok[ok.length - 1] = frame(true, WsFrames.CONTINUATION, utf8("b"));
        WsFrameReader r = reader(concat(concat(ok), concat(ok)));
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("ab", message(r));
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("ab", message(r));
    }

    @Test
    void aLargeMessagesBufferIsNotKeptForTheNextOne() throws IOException {
        WsFrameReader r = new WsFrameReader(new ByteArrayInputStream(concat(text("x".repeat(60_000)), text("y"))), 65536);
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals(60_000, r.messageLength());
        assertEquals(WsFrameReader.Kind.TEXT, r.next());
        assertEquals("y", message(r));
        assertEquals(true, r.message().length <= WsFrameReader.RETAINED_BUFFER, "buffer let go");
    }
}
