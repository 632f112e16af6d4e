package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.chat.server.RateLimiter.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The token bucket and the flood rule on a fake clock. */
@Timeout(10)
class RateLimiterTest {
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void aBurstPassesThenLinesAreRefusedUntilTokensRefill() {
        RateLimiter limiter = new RateLimiter(ticker, 10, 5, 100, Duration.ofSeconds(10).toNanos());
        for (int i = 0; i < 5; i++) {
            assertEquals(Verdict.PASS, limiter.take(), "line " + i + " of the burst");
        }
        assertEquals(Verdict.REFUSE, limiter.take());
        ticker.advance(Duration.ofMillis(100)); // 10 per second: one token
        assertEquals(Verdict.PASS, limiter.take());
        assertEquals(Verdict.REFUSE, limiter.take());
        ticker.advance(Duration.ofSeconds(60)); // refills to the burst, not beyond
        for (int i = 0; i < 5; i++) {
            assertEquals(Verdict.PASS, limiter.take());
        }
        assertEquals(Verdict.REFUSE, limiter.take());
    }

    @Test
    void refusalsWithinTheWindowAreAFlood() {
        RateLimiter limiter = new RateLimiter(ticker, 1, 1, 3, Duration.ofSeconds(10).toNanos());
        assertEquals(Verdict.PASS, limiter.take());
        assertEquals(Verdict.REFUSE, limiter.take());
        assertEquals(Verdict.REFUSE, limiter.take());
        assertEquals(Verdict.FLOOD, limiter.take(), "the third refusal within 10 s");
    }

    @Test
    void refusalsSpreadOverMoreThanTheWindowAreNot() {
        RateLimiter limiter = new RateLimiter(ticker, 0.01, 1, 3, Duration.ofSeconds(10).toNanos());
        assertEquals(Verdict.PASS, limiter.take());
        for (int i = 0; i < 10; i++) {
            assertEquals(Verdict.REFUSE, limiter.take(), "refusal " + i);
            ticker.advance(Duration.ofSeconds(6)); // two refusals per 10 s at most, and no token (0.01/s)
        }
    }
}
