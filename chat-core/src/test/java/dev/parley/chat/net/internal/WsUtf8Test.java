package dev.parley.chat.net.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WsUtf8Test {
    private static boolean valid(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return WsUtf8.isValid(b, 0, b.length);
    }

    @Test
    void acceptsWellFormedText() {
        byte[] b = "héllo ✓ 𝄞 Ελληνικά".getBytes(StandardCharsets.UTF_8);
        assertTrue(WsUtf8.isValid(b, 0, b.length));
        assertTrue(valid());
        assertTrue(valid(0xf4, 0x8f, 0xbf, 0xbf)); // U+10FFFF
        assertTrue(valid(0xed, 0x9f, 0xbf)); // U+D7FF
    }

    @Test
    void rejectsMalformedSequences() {
        assertFalse(valid(0x80), "lone continuation");
        assertFalse(valid(0xc0, 0x80), "overlong NUL");
        assertFalse(valid(0xe0, 0x80, 0x80), "overlong 3-byte");
        assertFalse(valid(0xf0, 0x80, 0x80, 0x80), "overlong 4-byte");
        assertFalse(valid(0xed, 0xa0, 0x80), "surrogate U+D800");
        assertFalse(valid(0xf4, 0x90, 0x80, 0x80), "above U+10FFFF");
        assertFalse(valid(0xf5, 0x80, 0x80, 0x80), "0xf5 lead");
        assertFalse(valid(0xe2, 0x9c), "truncated");
        assertFalse(valid(0x61, 0xc3), "truncated at end");
        assertFalse(valid(0xc3, 0x41), "bad continuation");
    }

    @Test
    void checksOnlyTheGivenRange() {
        byte[] b = {(byte) 0xff, 'a', 'b', (byte) 0xff};
        assertTrue(WsUtf8.isValid(b, 1, 2));
        assertFalse(WsUtf8.isValid(b, 0, 2));
    }
}
