package dev.parley.chat.server;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import java.util.List;
import java.util.Optional;

/**
 * A store that fails appends while {@link #failAppends} is set, delegating everything else, and counts
 * the append calls and the largest batch one carried.
 */
final class FlakyStore implements MessageStore {
    private final MessageStore delegate;
    volatile boolean failAppends;
    final java.util.concurrent.atomic.AtomicInteger appendCalls = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger largestBatch = new java.util.concurrent.atomic.AtomicInteger();

    FlakyStore(MessageStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<AppendResult> append(List<NewMessage> messages) {
        appendCalls.incrementAndGet();
        largestBatch.accumulateAndGet(messages.size(), Math::max);
        if (failAppends) {
            throw new StoreException("failing on purpose");
        }
        return delegate.append(messages);
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        return delegate.readAfter(conversation, afterSeq, limit);
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        return delegate.readBefore(conversation, beforeSeq, limit);
    }

    @Override
    public long head(String conversation) {
        return delegate.head(conversation);
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        return delegate.findByClientId(conversation, sender, clientId);
    }

    @Override
    public List<String> conversations() {
        return delegate.conversations();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
