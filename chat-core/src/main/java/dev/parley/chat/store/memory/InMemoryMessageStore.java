package dev.parley.chat.store.memory;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link MessageStore} that keeps messages in process memory: fast, thread safe, and gone when the
 * process ends. Good for tests, demos and servers that need no history across restarts.
 *
 * <p>Each conversation has its own {@link ReentrantLock}; appends to different conversations never wait
 * for each other, and a read copies what it needs under the lock and returns. An append that spans
 * several conversations takes their locks one at a time, in key order, so it cannot deadlock with
 * another; every message is sequenced exactly once and nothing can fail half way once validation passed.
 *
 * <p>With a {@linkplain #withRetention(int) retention limit}, each conversation keeps only its newest
 * {@code maxMessagesPerConversation} messages; older ones (and their client ids) are dropped as new ones
 * arrive. {@link #head} still reports the highest seq ever assigned.
 *
 * <pre>{@code
 * MessageStore store = InMemoryMessageStore.create();              // keeps everything
 * MessageStore small = InMemoryMessageStore.withRetention(10_000);  // newest 10,000 per conversation
 * }</pre>
 */
public final class InMemoryMessageStore implements MessageStore {

    /** Conversation key -> its state. Entries are created on first append and never removed. */
    private final ConcurrentHashMap<String, Conversation> conversations = new ConcurrentHashMap<>();
    private final int maxMessagesPerConversation;
    private volatile boolean closed;

    private InMemoryMessageStore(int maxMessagesPerConversation) {
        this.maxMessagesPerConversation = maxMessagesPerConversation;
    }

    /** A store that keeps every message until the process ends. */
    public static InMemoryMessageStore create() {
        return new InMemoryMessageStore(0);
    }

    /**
     * A store that keeps at most {@code maxMessagesPerConversation} messages per conversation, dropping
     * the oldest.
     *
     * @throws IllegalArgumentException if {@code maxMessagesPerConversation < 1}
     */
    public static InMemoryMessageStore withRetention(int maxMessagesPerConversation) {
        if (maxMessagesPerConversation < 1) {
            throw new IllegalArgumentException(
                    "maxMessagesPerConversation must be at least 1, was " + maxMessagesPerConversation);
        }
        return new InMemoryMessageStore(maxMessagesPerConversation);
    }

    /** The retention limit per conversation, or 0 if every message is kept. */
    public int maxMessagesPerConversation() {
        return maxMessagesPerConversation;
    }

    @Override
    public List<AppendResult> append(List<NewMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        checkOpen();
        for (NewMessage m : messages) {
            Objects.requireNonNull(m, "message"); // NewMessage checked its own fields
        }
        AppendResult[] results = new AppendResult[messages.size()];
        // Group by conversation (keys in sorted order, message order kept inside each group).
        Map<String, List<Integer>> byConversation = new TreeMap<>();
        for (int i = 0; i < messages.size(); i++) {
            byConversation.computeIfAbsent(messages.get(i).conversation(), k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> e : byConversation.entrySet()) {
            Conversation c = conversations.computeIfAbsent(e.getKey(), k -> new Conversation());
            c.lock.lock();
            try {
                for (int i : e.getValue()) {
                    results[i] = c.append(messages.get(i), maxMessagesPerConversation);
                }
            } finally {
                c.lock.unlock();
            }
        }
        return List.of(results);
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        Objects.requireNonNull(conversation, "conversation");
        checkRange(afterSeq, limit, "afterSeq");
        return underLock(conversation, List.of(), c -> c.after(afterSeq, limit));
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        Objects.requireNonNull(conversation, "conversation");
        checkRange(beforeSeq, limit, "beforeSeq");
        return underLock(conversation, List.of(), c -> c.before(beforeSeq, limit));
    }

    @Override
    public long head(String conversation) {
        Objects.requireNonNull(conversation, "conversation");
        return underLock(conversation, 0L, c -> c.head);
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(clientId, "clientId");
        return underLock(conversation, Optional.empty(),
                c -> Optional.ofNullable(c.byClientId.get(new ClientKey(sender, clientId))));
    }

    @Override
    public List<String> conversations() {
        checkOpen();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, Conversation> e : conversations.entrySet()) {
            Conversation c = e.getValue();
            c.lock.lock();
            try {
                if (c.head > 0) {
                    keys.add(e.getKey());
                }
            } finally {
                c.lock.unlock();
            }
        }
        keys.sort(null);
        return keys;
    }

    /** Marks the store closed; later calls throw {@link StoreException}. Holds no threads. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "InMemoryMessageStore[conversations=" + conversations.size()
                + ", maxMessagesPerConversation=" + maxMessagesPerConversation + ", closed=" + closed + "]";
    }

    /** What {@code read} returns for the conversation under its lock, or {@code absent} if it has none. */
    private <T> T underLock(String conversation, T absent, Function<Conversation, T> read) {
        checkOpen();
        Conversation c = conversations.get(conversation);
        if (c == null) {
            return absent;
        }
        c.lock.lock();
        try {
            return read.apply(c);
        } finally {
            c.lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("in-memory store is closed");
        }
    }

    private static void checkRange(long seq, int limit, String seqName) {
        if (seq < 0) {
            throw new IllegalArgumentException(seqName + " must be at least 0, was " + seq);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }


    private record ClientKey(String sender, String clientId) {
    }

    /** One conversation. Every field is guarded by {@link #lock}. */
    private static final class Conversation {
        final ReentrantLock lock = new ReentrantLock();
        /** Stored messages in seq order; element {@code i} has seq {@code firstSeq + i - dropped}. */
        final ArrayList<StoredMessage> messages = new ArrayList<>();
        /** Leading elements of {@link #messages} that retention dropped but not yet compacted away. */
        int dropped;
        long head;
        final HashMap<ClientKey, StoredMessage> byClientId = new HashMap<>();

        AppendResult append(NewMessage m, int maxMessages) {
            if (m.clientId() != null) {
                StoredMessage earlier = byClientId.get(new ClientKey(m.sender(), m.clientId()));
                if (earlier != null) {
                    return new AppendResult(earlier, true);
                }
            }
            StoredMessage stored = StoredMessage.of(m, head + 1);
            head++;
            messages.add(stored);
            if (m.clientId() != null) {
                byClientId.put(new ClientKey(m.sender(), m.clientId()), stored);
            }
            if (maxMessages > 0) {
                trim(maxMessages);
            }
            return new AppendResult(stored, false);
        }

        private void trim(int maxMessages) {
            while (messages.size() - dropped > maxMessages) {
                StoredMessage old = messages.set(dropped, null);
                dropped++;
                if (old.clientId() != null) {
                    byClientId.remove(new ClientKey(old.sender(), old.clientId()), old);
                }
            }
            if (dropped > 1024 && dropped > messages.size() / 2) {
                messages.subList(0, dropped).clear();
                dropped = 0;
            }
        }

        /** The seq of the oldest kept message, or {@code head + 1} if none is kept. */
        private long firstSeq() {
            return head - (messages.size() - dropped) + 1;
        }

        private int indexOf(long seq) {
            return (int) (seq - firstSeq()) + dropped;
        }

        List<StoredMessage> after(long afterSeq, int limit) {
            if (afterSeq >= head) {
                return List.of();
            }
            long from = Math.max(afterSeq + 1, firstSeq());
            if (from > head) {
                return List.of();
            }
            long to = Math.min(head, from + limit - 1L); // inclusive
            return List.copyOf(messages.subList(indexOf(from), indexOf(to) + 1));
        }

        List<StoredMessage> before(long beforeSeq, int limit) {
            long to = Math.min(beforeSeq - 1, head); // inclusive
            long first = firstSeq();
            if (to < first) {
                return List.of();
            }
            long from = Math.max(first, to - limit + 1L);
            return List.copyOf(messages.subList(indexOf(from), indexOf(to) + 1));
        }
    }
}
