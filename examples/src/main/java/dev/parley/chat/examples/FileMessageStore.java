package dev.parley.chat.examples;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link MessageStore} in one append-only text file: what it takes to plug your own storage into
 * Parley. Every message is one line,
 *
 * <pre>
 * seq TAB conversation TAB sender TAB time TAB client-id TAB text
 * </pre>
 *
 * with backslash, tab, CR and LF escaped ({@code \\ \t \r \n}) so that a line is always one record.
 * The whole file is read into memory when the store opens; appends go to the end of the file and are
 * forced to disk ({@code FileChannel.force}) before {@link #append} returns, which is the durability
 * the server needs before it acknowledges a message. A line cut short by a crash is dropped when the
 * file is opened again.
 *
 * <p>Deliberately simple: one lock, one {@code force} per call (no group commit), no retention, and
 * memory grows with the file. The JDBC store is the one to use for real.
 */
public final class FileMessageStore implements MessageStore {
    private final Path file;
    private final FileChannel channel;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    // Guarded by lock.
    private final Map<String, List<StoredMessage>> conversations = new HashMap<>();
    private final Map<ClientKey, StoredMessage> byClientId = new HashMap<>();
    private boolean closed;

    private FileMessageStore(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens the store in {@code file}, creating it (and its directory) if needed, and loads its messages.
     *
     * @throws StoreException if the file cannot be read or created
     */
    public static FileMessageStore open(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileMessageStore store = new FileMessageStore(file, channel);
            store.load();
            return store;
        } catch (IOException e) {
            throw new StoreException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads every complete line; cuts off a last line without LF (a crash in the middle of a write). */
    private void load() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int complete = 0;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                remember(parse(line, file, start));
                start = i + 1;
                complete = start;
            }
        }
        channel.truncate(complete);
        channel.position(complete);
    }

    @Override
    public List<AppendResult> append(List<NewMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        messages.forEach(m -> Objects.requireNonNull(m, "message")); // NewMessage checked its own fields
        lock.writeLock().lock();
        try {
            checkOpen();
            List<AppendResult> results = new ArrayList<>(messages.size());
            List<StoredMessage> fresh = new ArrayList<>();
            Map<String, Long> heads = new HashMap<>();
            Map<ClientKey, StoredMessage> batchIds = new HashMap<>();
            StringBuilder lines = new StringBuilder();
            for (NewMessage m : messages) {
                ClientKey key = m.clientId() == null ? null : new ClientKey(m.conversation(), m.sender(), m.clientId());
                StoredMessage earlier = key == null ? null : byClientId.getOrDefault(key, batchIds.get(key));
                if (earlier != null) {
                    results.add(new AppendResult(earlier, true));
                    continue;
                }
                long seq = heads.getOrDefault(m.conversation(), headLocked(m.conversation())) + 1;
                heads.put(m.conversation(), seq);
                StoredMessage s = new StoredMessage(m.conversation(), seq, m.sender(), m.text(),
                        m.time().truncatedTo(ChronoUnit.MILLIS), m.clientId());
                if (key != null) {
                    batchIds.put(key, s);
                }
                fresh.add(s);
                results.add(new AppendResult(s, false));
                lines.append(format(s)).append('\n');
            }
            if (!fresh.isEmpty()) {
                long end = -1;
                try {
                    end = channel.position();
                    ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(false);
                } catch (IOException e) {
                    if (end >= 0) {
                        rollBack(end);
                    }
                    throw new StoreException("cannot append to " + file + ": " + e.getMessage(), e);
                }
                fresh.forEach(this::remember);
            }
            return results;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Undoes a partial write, so that nothing of a failed call is stored. */
    private void rollBack(long end) {
        try {
            channel.truncate(end);
            channel.position(end);
        } catch (IOException ignored) {
            // the next open drops an incomplete last line anyway
        }
    }

    @Override
    public List<StoredMessage> readAfter(String conversation, long afterSeq, int limit) {
        checkRange(afterSeq, limit, "afterSeq");
        lock.readLock().lock();
        try {
            checkOpen();
            List<StoredMessage> all = conversations.getOrDefault(conversation, List.of());
            int from = (int) Math.min(afterSeq, all.size());
            int to = (int) Math.min(all.size(), (long) from + limit);
            return List.copyOf(all.subList(from, to));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit) {
        checkRange(beforeSeq, limit, "beforeSeq");
        lock.readLock().lock();
        try {
            checkOpen();
            List<StoredMessage> all = conversations.getOrDefault(conversation, List.of());
            int to = (int) Math.min(all.size(), Math.max(0, beforeSeq - 1));
            int from = Math.max(0, to - limit);
            return List.copyOf(all.subList(from, to));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long head(String conversation) {
        lock.readLock().lock();
        try {
            checkOpen();
            return headLocked(conversation);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId) {
        lock.readLock().lock();
        try {
            checkOpen();
            return Optional.ofNullable(byClientId.get(new ClientKey(conversation, sender, clientId)));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<String> conversations() {
        lock.readLock().lock();
        try {
            checkOpen();
            return List.copyOf(new TreeMap<>(conversations).keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                channel.close();
            }
        } catch (IOException e) {
            throw new StoreException("cannot close " + file + ": " + e.getMessage(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "FileMessageStore[" + file + "]";
    }

    // ---------------------------------------------------------------- helpers; callers hold the lock

    private long headLocked(String conversation) {
        List<StoredMessage> all = conversations.get(conversation);
        return all == null ? 0 : all.size();
    }

    private void remember(StoredMessage s) {
        conversations.computeIfAbsent(s.conversation(), k -> new ArrayList<>()).add(s);
        if (s.clientId() != null) {
            byClientId.put(new ClientKey(s.conversation(), s.sender(), s.clientId()), s);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException(file + " is closed");
        }
    }

    private static void checkRange(long seq, int limit, String name) {
        if (seq < 0) {
            throw new IllegalArgumentException(name + " must be at least 0, was " + seq);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }


    // ---------------------------------------------------------------- the line format

    private static String format(StoredMessage s) {
        StringBuilder b = new StringBuilder(64 + s.text().length());
        b.append(s.seq()).append('\t');
        escape(s.conversation(), b).append('\t');
        escape(s.sender(), b).append('\t');
        b.append(s.time()).append('\t');
        escape(s.clientId() == null ? "" : s.clientId(), b).append('\t');
        escape(s.text(), b);
        return b.toString();
    }

    private static StoredMessage parse(String line, Path file, long offset) {
        String[] f = line.split("\t", -1);
        if (f.length != 6) {
            throw new StoreException(file + ": corrupt record at byte " + offset + " (" + f.length + " fields)");
        }
        try {
            String clientId = unescape(f[4]);
            return new StoredMessage(unescape(f[1]), Long.parseLong(f[0]), unescape(f[2]), unescape(f[5]),
                    Instant.parse(f[3]), clientId.isEmpty() ? null : clientId);
        } catch (RuntimeException e) {
            throw new StoreException(file + ": corrupt record at byte " + offset + ": " + e.getMessage(), e);
        }
    }

    private static StringBuilder escape(String s, StringBuilder b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                b.append(switch (e) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> e;
                });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private record ClientKey(String conversation, String sender, String clientId) {
    }
}
