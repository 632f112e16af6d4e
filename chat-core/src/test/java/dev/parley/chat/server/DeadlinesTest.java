package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.chat.server.Deadlines.Due;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Handshake, ping, write-stall and close deadlines on a fake clock. */
@Timeout(10)
class DeadlinesTest {
    private final FakeTicker ticker = new FakeTicker();
    private final Deadlines d = new Deadlines(ticker, s(10), s(30), s(20), s(5));

    private static long s(long seconds) {
        return Duration.ofSeconds(seconds).toNanos();
    }

    private Due checkAfter(long seconds, boolean registered) {
        ticker.advance(Duration.ofSeconds(seconds));
        return d.check(ticker.nanoTime(), registered, 0);
    }

    @Test
    void noHelloWithinTheHandshakeTimeout() {
        assertEquals(Due.NOTHING, checkAfter(10, false));
        assertEquals(Due.HANDSHAKE_TIMEOUT, checkAfter(1, false));
    }

    @Test
    void silenceGetsAPingAndNoAnswerATimeout() {
        assertEquals(Due.NOTHING, checkAfter(30, true));
        assertEquals(Due.PING, checkAfter(1, true));
        assertEquals("p1", d.pingToken());
        assertEquals(Due.NOTHING, checkAfter(20, true), "the ping timeout counts from the PING");
        assertEquals(Due.PING_TIMEOUT, checkAfter(1, true));
    }

    @Test
    void anyInboundLineAnswersThePing() {
        assertEquals(Due.PING, checkAfter(31, true));
        ticker.advance(Duration.ofSeconds(5));
        d.inbound();
        assertEquals(Due.NOTHING, checkAfter(25, true), "quiet again, but not for the whole interval");
        assertEquals(Due.PING, checkAfter(6, true));
        assertEquals("p2", d.pingToken());
    }

    @Test
    void aStalledWriteIsASlowConsumer() {
        assertEquals(Due.NOTHING, d.check(ticker.nanoTime(), true, s(5)));
        assertEquals(Due.WRITE_STALLED, d.check(ticker.nanoTime(), true, s(5) + 1));
    }

    @Test
    void aClosingConnectionOnlyHasItsCloseDeadline() {
        d.closing(s(3));
        assertEquals(Due.NOTHING, checkAfter(3, false), "no handshake timeout while closing");
        assertEquals(Due.CLOSE_NOW, checkAfter(1, false));
        d.closing(s(100)); // set once
        assertEquals(Due.CLOSE_NOW, checkAfter(0, false));
    }

    @Test
    void onlyThePongAnsweringTheOutstandingPingIsFree() {
        assertEquals(false, d.answeredPing(null), "no PING sent yet");
        assertEquals(false, d.answeredPing("p0"));
        assertEquals(Due.PING, checkAfter(31, true));
        assertEquals(false, d.answeredPing("p2"), "another token");
        assertEquals(false, d.answeredPing(null), "no token");
        d.inbound(); // another line first does not use up the free PONG
        assertEquals(true, d.answeredPing("p1"));
        assertEquals(false, d.answeredPing("p1"), "once per PING");
    }
}
