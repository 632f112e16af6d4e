package dev.parley.chat.it;

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
 * A {@link MessageStore} that wraps a real one and fails on command: every call may throw, or appends
 * whose text contains {@link #HANG_MARKER} may block until {@link #release()}. A failing call stores
 * nothing (it throws before delegating), as the SPI demands.
 */
final class FlakyStore implements MessageStore {
    static final String HANG_MARKER = "HANG";

    enum Mode { OK, FAIL }

    private final MessageStore delegate;
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
    private volatile CountDownLatch hang;
    private final AtomicInteger hanging = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    FlakyStore(MessageStore delegate) {
        this.delegate = delegate;
    }

    void mode(Mode m) {
        mode.set(m);
    }

    /** From now on, appends of a text containing {@link #HANG_MARKER} block until {@link #release()}. */
    void hangMarkedAppends() {
        hang = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch h = hang;
        hang = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** Appends blocked right now. */
    int hanging() {
        return hanging.get();
    }

    int failures() {
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
        maybeFail("append");
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
