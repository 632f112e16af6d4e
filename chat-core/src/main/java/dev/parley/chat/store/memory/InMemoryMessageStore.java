package dev.parley.chat.store.memory;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;

import java.util.ArrayList;
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
 * <p>Messages are kept packed: each conversation holds its messages as bytes in blocks (its first 128
 * messages in one, then 1,024 in each; at most 128 with a retention limit; {@code MessageLog},
 * {@code MessageBlock}) and its client ids in a table of primitives, so a kept message is not a
 * handful of objects the garbage collector copies in every young collection; reads return new
 * {@link StoredMessage}s equal to what was appended.
 *
 * <p>The blocks' bytes are in direct buffers, outside the Java heap, so the collector does not copy
 * them either (about 131 bytes of direct memory per message with a 106-byte text, and under a byte
 * of heap). They count in the process's resident memory, not in the heap, and against
 * {@code -XX:MaxDirectMemorySize}, which the server's socket writes use too: so a store takes direct
 * memory only up to half of the maximum heap (half of that limit, unless it was set lower), and puts
 * later blocks on the heap. When the heap is full as well, {@code append} throws
 * {@link OutOfMemoryError}: the message that did not fit is not stored, earlier messages of the same
 * call may be. With a retention limit, a dropped block's buffer is reused by its conversation's next
 * block; buffers no longer used are freed when the collector finds them unreachable.
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
    /** Where the conversations' blocks get their buffers: direct memory up to a budget, then the heap. */
    private final BlockBuffers buffers = BlockBuffers.forThisJvm();
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
            if (m.text().length() > MessageBlock.MAX_TEXT_CHARS) {
                throw new StoreException("a text of " + m.text().length() + " characters is longer than the in-memory store keeps ("
                        + MessageBlock.MAX_TEXT_CHARS + "); nothing was stored");
            }
        }
        if (oneConversation(messages)) {
            return appendToOne(messages); // nearly every batch: one sender's read to one room
        }
        AppendResult[] results = new AppendResult[messages.size()];
        // Group by conversation (keys in sorted order, message order kept inside each group).
        Map<String, List<Integer>> byConversation = new TreeMap<>();
        for (int i = 0; i < messages.size(); i++) {
            byConversation.computeIfAbsent(messages.get(i).conversation(), k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> e : byConversation.entrySet()) {
            Conversation c = conversation(e.getKey());
            c.lock.lock();
            try {
                for (int i : e.getValue()) {
                    results[i] = c.log.append(messages.get(i));
                }
            } finally {
                c.lock.unlock();
            }
        }
        return List.of(results);
    }

    private static boolean oneConversation(List<NewMessage> messages) {
        String first = messages.isEmpty() ? null : messages.get(0).conversation();
        for (int i = 1; i < messages.size(); i++) {
            if (!messages.get(i).conversation().equals(first)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #append} of a batch to a single conversation: no grouping, one lock. */
    private List<AppendResult> appendToOne(List<NewMessage> messages) {
        int n = messages.size();
        if (n == 0) {
            return List.of();
        }
        Conversation c = conversation(messages.get(0).conversation());
        c.lock.lock();
        try {
            if (n == 1) {
                return List.of(c.log.append(messages.get(0)));
            }
            AppendResult[] results = new AppendResult[n];
            for (int i = 0; i < n; i++) {
                results[i] = c.log.append(messages.get(i));
            }
            return List.of(results);
        } finally {
            c.lock.unlock();
        }
    }

    /** The conversation's state, made on its first message. */
    private Conversation conversation(String key) {
        Conversation c = conversations.get(key);
        return c != null ? c : conversations.computeIfAbsent(key, k -> new Conversation(k, maxMessagesPerConversation, buffers));
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        Objects.requireNonNull(conversation, "conversation");
        checkRange(afterSeq, limit, "afterSeq");
        return underLock(conversation, List.of(), c -> c.log.after(afterSeq, limit));
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        Objects.requireNonNull(conversation, "conversation");
        checkRange(beforeSeq, limit, "beforeSeq");
        return underLock(conversation, List.of(), c -> c.log.before(beforeSeq, limit));
    }

    @Override
    public long head(String conversation) {
        Objects.requireNonNull(conversation, "conversation");
        return underLock(conversation, 0L, c -> c.log.head());
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(clientId, "clientId");
        return underLock(conversation, Optional.empty(),
                c -> Optional.ofNullable(c.log.find(sender, clientId)));
    }

    @Override
    public List<String> conversations() {
        checkOpen();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, Conversation> e : conversations.entrySet()) {
            Conversation c = e.getValue();
            c.lock.lock();
            try {
                if (c.log.head() > 0) {
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


    /** One conversation: its log and the lock that guards it. */
    private static final class Conversation {
        final ReentrantLock lock = new ReentrantLock();
        final MessageLog log;

        Conversation(String key, int maxMessages, BlockBuffers buffers) {
            log = new MessageLog(key, maxMessages, buffers);
        }
    }
}
