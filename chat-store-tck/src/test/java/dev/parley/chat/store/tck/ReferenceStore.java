package dev.parley.chat.store.tck;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The plainest store that keeps the contract: one lock around everything. It exists to test the
 * test kit: the whole contract must pass on it, and each {@link Flaw} must make the contract fail.
 */
final class ReferenceStore implements MessageStore {
    /** A deliberate bug, for showing that the contract test notices it. */
    enum Flaw {
        NONE,
        /** The third message of a conversation gets seq 4: a gap. */
        SKIPS_A_SEQ,
        /** A resend with a known client id is stored again. */
        IGNORES_CLIENT_IDS
    }

    private final Flaw flaw;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: messages per conversation in seq order, keys sorted. */
    private final TreeMap<String, List<StoredMessage>> conversations = new TreeMap<>();
    /** Guarded by lock. */
    private final Map<String, Long> heads = new HashMap<>();
    /** Guarded by lock: conversation, sender and client id -> the stored message. */
    private final Map<List<String>, StoredMessage> byClientId = new HashMap<>();
    /** Guarded by lock. */
    private boolean closed;

    ReferenceStore(Flaw flaw) {
        this.flaw = flaw;
    }

    @Override
    public List<AppendResult> append(List<NewMessage> messages) {
        messages.forEach(m -> Objects.requireNonNull(m, "message"));
        lock.lock();
        try {
            checkOpen();
            List<AppendResult> results = new ArrayList<>(messages.size());
            for (NewMessage m : messages) {
                List<String> id = m.clientId() == null ? null : List.of(m.conversation(), m.sender(), m.clientId());
                StoredMessage earlier = id == null ? null : byClientId.get(id);
                if (earlier != null && flaw != Flaw.IGNORES_CLIENT_IDS) {
                    results.add(new AppendResult(earlier, true));
                    continue;
                }
                long head = heads.getOrDefault(m.conversation(), 0L);
                long seq = head + (flaw == Flaw.SKIPS_A_SEQ && head == 2 ? 2 : 1);
                StoredMessage stored = StoredMessage.of(m, seq);
                heads.put(m.conversation(), seq);
                conversations.computeIfAbsent(m.conversation(), k -> new ArrayList<>()).add(stored);
                if (id != null) {
                    byClientId.put(id, stored);
                }
                results.add(new AppendResult(stored, false));
            }
            return results;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        checkRange(afterSeq, limit);
        lock.lock();
        try {
            checkOpen();
            return conversations.getOrDefault(conversation, List.of()).stream()
                    .filter(m -> m.seq() > afterSeq).limit(limit).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        checkRange(beforeSeq, limit);
        lock.lock();
        try {
            checkOpen();
            List<StoredMessage> below = conversations.getOrDefault(conversation, List.of()).stream()
                    .filter(m -> m.seq() < beforeSeq).toList();
            return below.subList(Math.max(0, below.size() - limit), below.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long head(String conversation) {
        lock.lock();
        try {
            checkOpen();
            return heads.getOrDefault(conversation, 0L);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        lock.lock();
        try {
            checkOpen();
            return Optional.ofNullable(byClientId.get(List.of(conversation, sender, clientId)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> conversations() {
        lock.lock();
        try {
            checkOpen();
            return List.copyOf(conversations.keySet());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("reference store is closed");
        }
    }

    private static void checkRange(long seq, int limit) {
        if (seq < 0 || limit < 1) {
            throw new IllegalArgumentException("seq must be >= 0 and limit >= 1, were " + seq + " and " + limit);
        }
    }
}
