package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.FlakyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ordered-delivery step without sockets or real time: own appends finishing out of order, values
 * and doorbells from elsewhere, missing seqs waited for (on a fake clock) and then read from the store,
 * retention, conversations without recipients, and presence notices between messages.
 */
@Timeout(10)
class ConversationTest {
    private static final String KEY = "#r";

    private final FakeTicker ticker = new FakeTicker();
    private final FlakyStore store = new FlakyStore(InMemoryMessageStore.create());
    private final GapWaits waits = new GapWaits();
    /** Store reads run when the test says so, deterministically. */
    private final ArrayDeque<Runnable> reads = new ArrayDeque<>();
    private final Executor fetcher = reads::add;
    private final Recording c = new Recording(new Conversation.Env(store, ticker, Hub.nanos(Duration.ofSeconds(1)),
            fetcher, waits));

    /** A conversation that records what it delivers. */
    static final class Recording extends Conversation {
        final List<String> delivered = new ArrayList<>();
        boolean recipients = true;

        Recording(Env env) {
            super(KEY, env);
        }

        @Override
        void deliverNow(StoredMessage message, Session origin, boolean local) {
            delivered.add(message.seq() + (local ? "" : "r"));
        }

        @Override
        boolean hasRecipients() {
            return recipients;
        }

        @Override
        void deliverNotice(PresenceEvent event) {
            delivered.add(event.kind() + " " + event.name());
        }
    }

    /** Stores one message directly (as another node would) and returns it. */
    private StoredMessage storeElsewhere(String text) {
        return store.append(List.of(new NewMessage(KEY, "other", text, Instant.EPOCH, null))).get(0).message();
    }

    private void runReads() {
        while (!reads.isEmpty()) {
            reads.poll().run();
        }
    }

    @Test
    void ownAppendsThatFinishOutOfOrderAreDeliveredInSeqOrder() {
        int t1 = c.beginAppend();
        int t2 = c.beginAppend();
        StoredMessage m1 = storeElsewhere("one");
        StoredMessage m2 = storeElsewhere("two");
        c.appended(m2, null, t2);
        assertEquals(List.of(), c.delivered, "seq 2 waits for seq 1, whose append is in flight");
        c.appended(m1, null, t1);
        assertEquals(List.of("1", "2"), c.delivered);
        assertTrue(reads.isEmpty(), "nothing was read from the store");
    }

    @Test
    void aMissingSeqWithAnAppendInFlightIsWaitedForThenReadFromTheStore() {
        c.beginAppend(); // its result never comes (a slow or lost completion)
        int t2 = c.beginAppend();
        StoredMessage m1 = storeElsewhere("one");
        StoredMessage m2 = storeElsewhere("two");
        c.appended(m2, null, t2);
        waits.check();
        assertTrue(reads.isEmpty(), "within the bound: still waiting");
        assertEquals(List.of(), c.delivered);
        ticker.advance(Duration.ofMillis(1001));
        waits.check();
        runReads();
        assertEquals(List.of("1r", "2"), c.delivered, "seq 1 read from the store, never skipped");
        assertEquals(1, m1.seq());
        assertEquals(2, m2.seq());
        assertEquals(0, waits.size());
    }

    @Test
    void aWaitEndsAsSoonAsTheAppendsInFlightWhenItBeganHaveFinished() {
        int t1 = c.beginAppend();
        storeElsewhere("one"); // seq 1: taken by an append that fails to report (it is "ours", t1)
        StoredMessage m2 = storeElsewhere("two");
        c.offer(m2); // seq 2 arrives from elsewhere while ours is in flight: wait
        assertTrue(reads.isEmpty());
        c.appendFailed(t1); // the awaited append finished without a result: no reason to wait on
        runReads();
        assertEquals(List.of("1r", "2r"), c.delivered);
    }

    @Test
    void aDoorbellWithoutAppendsInFlightReadsTheMissingSeqsAtOnce() {
        c.lock.lock();
        try {
            c.ensureHead();
        } finally {
            c.lock.unlock();
        }
        storeElsewhere("one");
        storeElsewhere("two");
        storeElsewhere("three");
        c.announce(2, 3); // a doorbell for 2..3; 1 was announced to nobody: read too
        runReads();
        assertEquals(List.of("1r", "2r", "3r"), c.delivered);
        c.announce(1, 3); // again: harmless
        runReads();
        assertEquals(3, c.delivered.size());
    }

    @Test
    void valuesFromElsewhereArriveOutOfOrderAndTwiceYetAreDeliveredOnceEach() {
        c.lock.lock();
        try {
            c.ensureHead();
        } finally {
            c.lock.unlock();
        }
        StoredMessage m1 = storeElsewhere("1");
        StoredMessage m2 = storeElsewhere("2");
        StoredMessage m3 = storeElsewhere("3");
        c.offer(m3);
        c.offer(m1);
        c.offer(m1);
        runReads(); // the read for seq 2 (no append in flight) may race the value: both are fine
        c.offer(m2);
        c.offer(m3);
        runReads();
        assertEquals(List.of("1r", "2r", "3r"), c.delivered);
    }

    @Test
    void seqsTheStoreNoLongerHasArePassedOver() {
        c.lock.lock();
        try {
            c.ensureHead();
        } finally {
            c.lock.unlock();
        }
        storeElsewhere("1");
        storeElsewhere("2");
        StoredMessage m3 = storeElsewhere("3");
        Recording retained = new Recording(new Conversation.Env(new Retaining(store, 2), ticker,
                Hub.nanos(Duration.ofSeconds(1)), fetcher, waits));
        retained.announce(1, 1);
        retained.offer(m3);
        runReads();
        assertEquals(List.of("3r"), retained.delivered, "1 and 2 are gone: passed over, 3 delivered");
    }

    @Test
    void withoutRecipientsMissingSeqsArePassedOverWithoutReading() {
        c.recipients = false;
        c.announce(1, 5);
        assertTrue(reads.isEmpty());
        c.lock.lock();
        try {
            assertEquals(5, c.deliveredHead(), "a later JOIN replays up to here from the store");
        } finally {
            c.lock.unlock();
        }
    }

    @Test
    void aFailedReadIsTriedAgainAfterTheBound() {
        c.lock.lock();
        try {
            c.ensureHead();
        } finally {
            c.lock.unlock();
        }
        storeElsewhere("1");
        store.mode(FlakyStore.Mode.FAIL);
        c.announce(1, 1);
        runReads();
        assertEquals(List.of(), c.delivered);
        store.mode(FlakyStore.Mode.OK);
        waits.check();
        runReads();
        assertEquals(List.of(), c.delivered, "not before the bound");
        ticker.advance(Duration.ofMillis(1001));
        waits.check();
        runReads();
        assertEquals(List.of("1r"), c.delivered);
    }

    @Test
    void aPresenceNoticeComesAfterItsSeqAndBeforeTheNext() {
        int t1 = c.beginAppend();
        int t2 = c.beginAppend();
        StoredMessage m1 = storeElsewhere("1");
        StoredMessage m2 = storeElsewhere("2");
        c.notice(PresenceEvent.joined("r", "Anna", 1));
        assertEquals(List.of(), c.delivered, "after seq 1, which is not delivered yet");
        c.appended(m2, null, t2);
        c.appended(m1, null, t1);
        assertEquals(List.of("1", "JOINED Anna", "2"), c.delivered);
        c.notice(PresenceEvent.left("r", "Anna", "quit", 0));
        assertEquals("LEFT Anna", c.delivered.get(3), "a notice about the past goes out at once");
    }

    /** A store whose retention deleted everything up to {@code upTo}. */
    private static final class Retaining extends ForwardingStore {
        private final long upTo;

        Retaining(MessageStore delegate, long upTo) {
            super(delegate);
            this.upTo = upTo;
        }

        @Override
        public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
            return super.readAfter(conversation, Math.max(afterSeq, upTo), limit);
        }
    }

    /** Delegates everything. */
    private static class ForwardingStore implements MessageStore {
        private final MessageStore d;

        ForwardingStore(MessageStore d) {
            this.d = d;
        }

        @Override
        public List<AppendResult> append(List<NewMessage> messages) {
            return d.append(messages);
        }

        @Override
        public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
            return d.readAfter(conversation, afterSeq, limit);
        }

        @Override
        public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
            return d.readBefore(conversation, beforeSeq, limit);
        }

        @Override
        public long head(String conversation) {
            return d.head(conversation);
        }

        @Override
        public java.util.Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
            return d.findByClientId(conversation, sender, clientId);
        }

        @Override
        public List<String> conversations() {
            return d.conversations();
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
