package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameDecoderSmokeTest {
    @Test
    void decodesTheExampleSendAndEncodesItBack() {
        String line = "SEND room=lobby ref=2 id=7f3a :hello\\neveryone";
        List<Frame> frames = FrameDecoder.decodeAll((line + "\r\n").getBytes(StandardCharsets.UTF_8), 16384);
        assertEquals(1, frames.size());
        Frame f = frames.get(0);
        assertEquals("SEND", f.verb());
        assertEquals("lobby", f.field("room"));
        assertEquals("hello\neveryone", f.text());
        assertEquals(line, FrameEncoder.toLine(f));
    }
}
