package dev.parley.chat.testing;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one failing store of Parley's tests: wraps a real {@link MessageStore} and fails on command.
 * Appends alone fail while {@link #failAppends} is set; every call fails in {@link Mode#FAIL}; appends
 * whose text contains {@link #HANG_MARKER} block after {@link #hangMarkedAppends()} until
 * {@link #release()}. A failing call stores nothing (it throws before delegating), as the SPI demands.
 * Counts append calls and the largest batch one carried.
 */
public final class FlakyStore implements MessageStore {
    public static final String HANG_MARKER = "HANG";

    public enum Mode { OK, FAIL }

    private final MessageStore delegate;
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
    private volatile CountDownLatch hang;
    private final AtomicInteger hanging = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    /** While set, appends fail (other calls do not). */
    public volatile boolean failAppends;
    /** Calls of {@link #append}. */
    public final AtomicInteger appendCalls = new AtomicInteger();
    /** The most messages one append call carried. */
    public final AtomicInteger largestBatch = new AtomicInteger();

    public FlakyStore(MessageStore delegate) {
        this.delegate = delegate;
    }

    /** Every call fails in {@link Mode#FAIL}. */
    public void mode(Mode m) {
        mode.set(m);
    }

    /** From now on, appends of a text containing {@link #HANG_MARKER} block until {@link #release()}. */
    public void hangMarkedAppends() {
        hang = new CountDownLatch(1);
    }

    public void release() {
        CountDownLatch h = hang;
        hang = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** Appends blocked right now. */
    public int hanging() {
        return hanging.get();
    }

    /** Calls failed by {@link Mode#FAIL}. */
    public int failures() {
        return failures.get();
    }

    private void maybeFail(String what) {
        if (mode.get() == Mode.FAIL) {
            failures.incrementAndGet();
            throw new StoreException("test store is down (" + what + ")");
        }
    }

    @Override
    public List<AppendResult> append(List<NewMessage> messages) {
        appendCalls.incrementAndGet();
        largestBatch.accumulateAndGet(messages.size(), Math::max);
        maybeFail("append");
        if (failAppends) {
            throw new StoreException("failing on purpose");
        }
        CountDownLatch h = hang;
        if (h != null && messages.stream().anyMatch(m -> m.text().contains(HANG_MARKER))) {
            hanging.incrementAndGet();
            try {
                if (!h.await(2, TimeUnit.MINUTES)) {
                    throw new StoreException("test store hang was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while hanging");
            } finally {
                hanging.decrementAndGet();
            }
            maybeFail("append after hang");
        }
        return delegate.append(messages);
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        maybeFail("readAfter");
        return delegate.readAfter(conversation, afterSeq, limit);
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        maybeFail("readBefore");
        return delegate.readBefore(conversation, beforeSeq, limit);
    }

    @Override
    public long head(String conversation) {
        maybeFail("head");
        return delegate.head(conversation);
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        maybeFail("findByClientId");
        return delegate.findByClientId(conversation, sender, clientId);
    }

    @Override
    public List<String> conversations() {
        maybeFail("conversations");
        return delegate.conversations();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
