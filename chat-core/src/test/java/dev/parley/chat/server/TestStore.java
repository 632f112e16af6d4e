package dev.parley.chat.server;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/** A small in-memory store for server tests, with switches to fail appends and drop old messages. */
final class TestStore implements MessageStore {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, List<StoredMessage>> conversations = new HashMap<>();
    private final Map<String, Long> heads = new HashMap<>();
    volatile boolean failAppends;

    @Override
    public List<AppendResult> append(List<NewMessage> messages) {
        if (failAppends) {
            throw new StoreException("test store is failing on purpose");
        }
        lock.lock();
        try {
            List<AppendResult> out = new ArrayList<>();
            for (NewMessage m : messages) {
                List<StoredMessage> list = conversations.computeIfAbsent(m.conversation(), k -> new ArrayList<>());
                if (m.clientId() != null) {
                    Optional<StoredMessage> dup = list.stream()
                            .filter(s -> m.clientId().equals(s.clientId()) && m.sender().equals(s.sender())).findFirst();
                    if (dup.isPresent()) {
                        out.add(new AppendResult(dup.get(), true));
                        continue;
                    }
                }
                long seq = heads.merge(m.conversation(), 1L, Long::sum);
                StoredMessage s = StoredMessage.of(m, seq);
                list.add(s);
                out.add(new AppendResult(s, false));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Drops every message with seq <= upTo (retention). */
    void dropUpTo(String conversation, long upTo) {
        lock.lock();
        try {
            conversations.getOrDefault(conversation, new ArrayList<>()).removeIf(m -> m.seq() <= upTo);
        } finally {
            lock.unlock();
        }
    }

    List<StoredMessage> all(String conversation) {
        lock.lock();
        try {
            return List.copyOf(conversations.getOrDefault(conversation, List.of()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        lock.lock();
        try {
            return conversations.getOrDefault(conversation, List.of()).stream()
                    .filter(m -> m.seq() > afterSeq).limit(limit).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        lock.lock();
        try {
            List<StoredMessage> l = conversations.getOrDefault(conversation, List.of()).stream()
                    .filter(m -> m.seq() < beforeSeq).toList();
            return List.copyOf(l.subList(Math.max(0, l.size() - limit), l.size()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long head(String conversation) {
        lock.lock();
        try {
            return heads.getOrDefault(conversation, 0L);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        lock.lock();
        try {
            return conversations.getOrDefault(conversation, List.of()).stream()
                    .filter(m -> clientId.equals(m.clientId()) && sender.equals(m.sender())).findFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> conversations() {
        lock.lock();
        try {
            return List.copyOf(conversations.keySet());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
    }
}
