package dev.parley.chat.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class PendingRequestsTest {
    private static final long TIMEOUT = 30_000_000_000L;

    private final FakeScheduler clock = new FakeScheduler();
    private final List<Request> timedOut = new ArrayList<>();
    private final PendingRequests pending = new PendingRequests(clock, TIMEOUT, timedOut::add);

    private Request request() {
        return Request.of(Request.Kind.PING, pending.nextRef(), null, null, new CompletableFuture<>());
    }

    @Test
    void aRequestNotAnsweredInTimeTimesOutOnce() {
        Request r = request();
        pending.add(r);
        assertEquals(List.of(TIMEOUT), clock.dueIn());
        clock.advance(TIMEOUT - 1);
        assertEquals(List.of(), timedOut);
        clock.advance(1);
        assertEquals(List.of(r), timedOut);
        assertTrue(pending.expire(r));
        assertFalse(pending.expire(r), "expired once");
        assertNull(pending.get(r.ref));
        assertEquals(0, clock.pending());
    }

    @Test
    void anAnsweredRequestCancelsItsTimer() {
        Request r = request();
        pending.add(r);
        assertSame(r, pending.remove(r.ref));
        assertEquals(0, clock.pending());
        clock.advance(2 * TIMEOUT);
        assertEquals(List.of(), timedOut);
    }

    @Test
    void aTimerThatFiresAfterTheAnswerChangesNothing() {
        Request r = request();
        pending.add(r);
        pending.remove(r.ref);
        assertFalse(pending.expire(r), "answered in the meantime");
    }

    @Test
    void tenThousandAnsweredRequestsLeaveNoTimerBehind() {
        for (int i = 0; i < 10_000; i++) {
            Request r = request();
            pending.add(r);
            pending.remove(r.ref);
        }
        assertEquals(0, pending.size());
        assertEquals(0, clock.pending());
    }

    @Test
    void onTheRealTimerThreadTooAnsweredRequestsLeaveNoTimerBehind() {
        TimerThread timers = new TimerThread("test-timer");
        try {
            PendingRequests real = new PendingRequests(timers, TIMEOUT, timedOut::add);
            List<Request> waiting = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                Request r = Request.of(Request.Kind.PING, real.nextRef(), null, null, new CompletableFuture<>());
                real.add(r);
                waiting.add(r);
            }
            assertEquals(10_000, timers.pending());
            for (Request r : waiting) {
                real.remove(r.ref);
            }
            assertEquals(0, timers.pending());
        } finally {
            timers.shutdown();
        }
    }

    @Test
    void requestsKeepTheOrderTheyWereMadeInAndClearCancelsEveryTimer() {
        Request a = request();
        Request b = request();
        Request c = request();
        pending.add(a);
        pending.add(b);
        pending.add(c);
        assertEquals(List.of(b), pending.removeIf(r -> r == b));
        assertEquals(List.of(a, c), List.copyOf(pending.all()));
        assertEquals(List.of(a, c), pending.clear());
        assertEquals(0, clock.pending());
    }
}
