package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The new-room token buckets per identity and per address, on a fake clock. */
@Timeout(10)
class NewRoomLimitTest {
    private final FakeTicker ticker = new FakeTicker();
    private final NewRoomLimit limit = new NewRoomLimit(ticker, 10, 3);

    @Test
    void anIdentityGetsItsBurstThenOneRoomPerSixSeconds() {
        for (int i = 0; i < 3; i++) {
            assertNotNull(limit.take("ann", "10.0.0." + i));
        }
        assertNull(limit.take("ann", "10.0.0.9"), "ann's bucket is empty, whatever her address");
        ticker.advance(Duration.ofSeconds(5));
        assertNull(limit.take("ann", "10.0.0.9"));
        ticker.advance(Duration.ofSeconds(1));
        assertNotNull(limit.take("ann", "10.0.0.9"), "10 a minute: one token after 6 s");
        assertNull(limit.take("ann", "10.0.0.9"));
    }

    @Test
    void anAddressGetsItsBurstWhateverTheNames() {
        for (int i = 0; i < 3; i++) {
            assertNotNull(limit.take("user" + i, "10.0.0.1"));
        }
        assertNull(limit.take("user9", "10.0.0.1"));
        assertNotNull(limit.take("user9", "10.0.0.2"), "another address");
    }

    @Test
    void aRefusalTakesNothing() {
        for (int i = 0; i < 3; i++) {
            limit.take("ann", "10.0.0.1");
        }
        assertNull(limit.take("ann", "10.0.0.2"));
        for (int i = 0; i < 3; i++) {
            assertNotNull(limit.take("bob" + i, "10.0.0.2"), "ann's refusal did not use 10.0.0.2's tokens");
        }
    }

    @Test
    void aForgottenRoomGivesItsTokensBack() {
        NewRoomLimit.Charge last = null;
        for (int i = 0; i < 3; i++) {
            last = limit.take("ann", "10.0.0.1");
        }
        assertNull(limit.take("ann", "10.0.0.1"));
        limit.refund(last);
        assertNotNull(limit.take("ann", "10.0.0.1"));
        assertNull(limit.take("ann", "10.0.0.1"));
        limit.refund(last);
        limit.refund(last);
        limit.refund(last);
        limit.refund(last);
        for (int i = 0; i < 3; i++) {
            assertNotNull(limit.take("ann", "10.0.0.1"));
        }
        assertNull(limit.take("ann", "10.0.0.1"), "refunds never fill a bucket past its burst");
    }

    @Test
    void bucketsThatFilledUpAgainAreDropped() {
        for (int i = 0; i < 5000; i++) {
            limit.take("user" + i, "10.0." + (i / 256) + "." + (i % 256));
        }
        ticker.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 5000; i++) {
            limit.take("later" + i, "10.1." + (i / 256) + "." + (i % 256));
        }
        assertEquals(true, limit.buckets() < 2 * 5000 + 100, "the first 5000 of each were swept: " + limit.buckets());
    }

    @Test
    void theAddressIsTheIpWithoutThePort() {
        assertEquals("127.0.0.1", NewRoomLimit.addressOf(new InetSocketAddress("127.0.0.1", 4242)));
    }
}
