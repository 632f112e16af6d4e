package dev.parley.chat.store.memory;

import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Up to {@code capacity} messages with consecutive seqs, packed one after another into a single direct
 * {@link ByteBuffer}, outside the Java heap (on the heap once the store's {@link BlockBuffers} budget is
 * used up), so that a kept message costs the garbage collector nothing
 * to copy: not seven or eight objects per message (record, {@code Instant}, strings and their arrays, a
 * map node and key), and not a block's bytes either, which a young collection would copy once or twice
 * before promoting them (BENCHMARKS.md, "The in-memory store's bytes off the heap"). The records' end
 * offsets are in the buffer too, and a block holds up to 1,024 messages, so what a busy conversation
 * leaves on the heap is a few objects per thousand messages: the collector copies each new object up to
 * fifteen times before it promotes it (BENCHMARKS.md, "Kept: blocks of 1,024"). Not thread safe; its
 * {@link MessageLog} is guarded by the conversation's lock, and every read copies out of the buffer
 * under that lock, so nothing outside holds on to it.
 *
 * <p>A buffer is freed when the collector finds it unreachable; a block dropped by retention hands its
 * buffer to the log ({@link #release}), which gives it to its next block, so a conversation with a
 * retention limit reuses its buffers instead of leaving them for the collector.
 *
 * <p>A record is the time (epoch second: 8 bytes, nanosecond: 4 bytes), the sender's index in the
 * block's own table of senders (2 bytes; a conversation's messages come from few senders, and the table
 * holds the {@code String}s appended, so reading a message makes no sender string), then the client id
 * and the text, each a {@linkplain #putString string field}. Strings round-trip exactly: one that is not
 * well-formed UTF-16 (an unpaired surrogate, which UTF-8 cannot carry) is kept as its UTF-16 chars. The
 * records grow up from the start of the buffer and their end offsets (4 bytes each) down from its top.
 */
final class MessageBlock {
    /** String field kinds, the low two bits of a field's header; the rest is the length in bytes. */
    private static final int UTF8 = 0, CHARS = 1, NULL = 2;
    private static final int TIME_BYTES = 12;
    /** The sender's index in the block's table: a char, so a block may hold up to 65,536 senders. */
    private static final int SENDER_BYTES = 2;
    /** A record's end offset, kept at the top of the buffer. */
    private static final int OFFSET_BYTES = Integer.BYTES;
    private static final int FIRST_DATA_BYTES = 256;
    /**
     * A block sized from the one before it starts with room for this many of its messages and grows by
     * as many at a time: its buffer never holds more than that many messages' worth unused, as with
     * blocks of this size, while a busy conversation pays a copy per step, of memory outside the heap
     * (no collector work; the buffers it drops die young).
     */
    private static final int START_MESSAGES = 128;
    /** Largest expected size a block is sized from (the block before it); above it a block doubles as it fills. */
    static final int MAX_EXPECTED_BYTES = 1 << 20;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /**
     * Longest text kept, in chars: a field's length in bytes has 30 bits ({@code length << 2 | kind}),
     * and a char takes at most 3 bytes of UTF-8 (2 as a UTF-16 char).
     */
    static final int MAX_TEXT_CHARS = ((1 << 29) - 1) / 3;

    /** Seq of the block's first message. */
    final long firstSeq;
    private final int capacity;
    private ByteBuffer data;
    /** A dropped block's buffer to use for {@link #data} if it is large enough; {@code null} once decided. */
    private ByteBuffer recycled;
    /** Whether {@link #data} is {@link #recycled}: then a full block keeps its slack (see {@link #add}). */
    private boolean reused;
    private final BlockBuffers buffers;
    private int used;
    /** Distinct senders of this block's messages, in order of first appearance. */
    private String[] senders;
    private int senderCount;
    /**
     * Messages in the block. The end offset of message {@code i} (it starts where {@code i - 1} ends)
     * is an int at the top of {@link #data}, {@link #endSlot endSlot(i)}: the offsets
     * grow down as the records grow up, so they too stay off the heap.
     */
    private int count;
    /** Bytes the whole block is expected to take (from the block before it), or 0 if unknown. */
    private final int expectedBytes;

    /**
     * A block whose messages are expected to take about {@code expectedBytes} in all (the size of the
     * full block before it). With 0 (a conversation's first block: unknown) its buffer starts small and
     * doubles. Otherwise it starts at the expected size of its first {@link #START_MESSAGES} messages
     * (all of them, for a smaller block) and grows by that much at a time up to the expected size,
     * which it then fits: never a mostly empty block-sized buffer for a conversation that has just
     * begun a block. Above {@link #MAX_EXPECTED_BYTES} the
     * buffer doubles as for an unknown size, so one block of huge messages does not make the next one
     * huge from its first message. {@code recycled} (or {@code null}) is a dropped block's buffer, used
     * instead of a new one if it holds what the first message and {@code expectedBytes} need; new
     * buffers come from {@code buffers}.
     */
    MessageBlock(long firstSeq, int capacity, int expectedBytes, ByteBuffer recycled, BlockBuffers buffers) {
        this.firstSeq = firstSeq;
        this.buffers = buffers;
        this.recycled = recycled;
        this.capacity = capacity;
        this.expectedBytes = expectedBytes <= MAX_EXPECTED_BYTES ? expectedBytes : 0;
        this.senders = new String[Math.min(capacity, 4)];
    }

    /** Bytes of this block's messages and their offsets. */
    int usedBytes() {
        return used + OFFSET_BYTES * count;
    }

    int capacity() {
        return capacity;
    }

    boolean full() {
        return count == capacity;
    }

    /**
     * Appends {@code m} as the message with seq {@code firstSeq + count}. Everything that can fail
     * (allocation) happens before the block changes.
     */
    void add(NewMessage m) {
        int clientIdKind = kind(m.clientId()), textKind = kind(m.text());
        byte[] clientId = bytes(m.clientId(), clientIdKind);
        byte[] text = bytes(m.text(), textKind);
        int need = TIME_BYTES + SENDER_BYTES + fieldSize(clientId) + fieldSize(text) + OFFSET_BYTES;
        ensureRoom(need);
        int sender = senderIndex(m.sender()); // a new sender stays in the table if a later step failed: harmless
        Instant time = m.time();
        data.putLong(used, time.getEpochSecond());
        data.putInt(used + 8, time.getNano());
        data.putChar(used + TIME_BYTES, (char) sender);
        int at = used + TIME_BYTES + SENDER_BYTES;
        at = putString(at, clientId, clientIdKind);
        at = putString(at, text, textKind);
        used = at;
        count++;
        data.putInt(endSlot(count - 1), used);
        int total = usedBytes();
        if (full() && !reused && data.capacity() - total > Math.max(64, total >>> 5)) {
            // A full block never grows again: give the slack back. A block sized from the one before
            // it has less than 1/32 spare (a copy would make a young buffer again), so it is kept, and
            // so is a reused buffer: the next block will reuse it in turn when this one is dropped.
            data = copy(data, total);
        }
    }

    /** The message at {@code index} (0 is {@link #firstSeq}), as a new {@link StoredMessage}. */
    StoredMessage get(String conversation, int index) {
        int at = start(index);
        Instant time = Instant.ofEpochSecond(data.getLong(at), data.getInt(at + 8));
        String sender = senders[data.getChar(at + TIME_BYTES)];
        at += TIME_BYTES + SENDER_BYTES;
        String clientId = string(at);
        at = skip(at);
        String text = string(at);
        return new StoredMessage(conversation, firstSeq + index, sender, text, time, clientId);
    }

    /** Whether the message at {@code index} has this sender and client id. */
    boolean hasClientId(int index, String sender, String clientId) {
        int at = start(index) + TIME_BYTES;
        return sender.equals(senders[data.getChar(at)]) && clientId.equals(string(at + SENDER_BYTES));
    }

    /**
     * Gives up this block's buffer for the log's next block; the block is being dropped and must not be
     * used again.
     */
    ByteBuffer release() {
        ByteBuffer b = data;
        data = null;
        return b;
    }

    /** Bytes of this block's buffer and arrays, for tests and sizing. */
    long footprint() {
        return (data == null ? 0 : data.capacity()) + 4L * senders.length;
    }

    /**
     * The index of {@code sender} in this block's table, added if new; at most {@code capacity} entries.
     * Searched from the newest: a conversation's next message is most often from a recent sender.
     */
    private int senderIndex(String sender) {
        for (int i = senderCount - 1; i >= 0; i--) {
            String known = senders[i];
            if (known == sender || known.hashCode() == sender.hashCode() && known.equals(sender)) {
                return i;
            }
        }
        if (senderCount == senders.length) {
            senders = Arrays.copyOf(senders, Math.min(capacity, senders.length * 2));
        }
        senders[senderCount] = sender;
        return senderCount++;
    }

    private int start(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(index);
        }
        return index == 0 ? 0 : data.getInt(endSlot(index - 1));
    }

    /** Where in {@link #data} the end offset of message {@code i} is: {@code 4 * (i + 1)} bytes below its top. */
    private int endSlot(int i) {
        return data.capacity() - OFFSET_BYTES * (i + 1);
    }

    private void ensureRoom(int need) {
        if (data == null) {
            int first = expectedBytes > 0 ? startBytes() : FIRST_DATA_BYTES;
            int size = capacity == 1 ? need : Math.max(need, first);
            if (recycled != null && recycled.capacity() >= size) {
                data = recycled;
                reused = true;
            } else {
                data = buffers.allocate(size);
                buffers.release(recycled);
            }
            recycled = null;
        } else if (data.capacity() - usedBytes() < need) {
            int total = usedBytes();
            long grown;
            if (expectedBytes > 0 && count > 0) {
                // Room for START_MESSAGES more at this block's average so far, but not past what the
                // rest is likely to take (its expected size if its messages are as long as the last block's).
                long average = (total + need) / (count + 1);
                long step = Math.max(startBytes(), average * START_MESSAGES);
                long rest = (long) total + need + (capacity - count - 1) * average + 64;
                grown = Math.max((long) total + need, Math.min((long) data.capacity() + step, rest));
            } else {
                grown = Math.max((long) total + need, 2L * data.capacity());
            }
            if (grown > MAX_ARRAY) {
                grown = (long) total + need;
                if (grown > MAX_ARRAY) {
                    throw new OutOfMemoryError("a block of " + capacity + " messages would exceed the largest buffer");
                }
            }
            data = copy(data, (int) grown);
        }
    }

    /** The first buffer of a block sized from the one before it, a 128th over what is expected. */
    private int startBytes() {
        long whole = expectedBytes + (expectedBytes >>> 7);
        return (int) (capacity <= START_MESSAGES ? whole : (whole * START_MESSAGES + capacity - 1) / capacity);
    }

    /** How a string is kept: {@link #NULL}, {@link #UTF8} if it is well-formed, else {@link #CHARS}. */
    private static int kind(String s) {
        return s == null ? NULL : wellFormed(s) ? UTF8 : CHARS;
    }

    /** A string's bytes as kept in its {@link #kind}. */
    private static byte[] bytes(String s, int kind) {
        if (kind == NULL) {
            return null;
        }
        if (kind == UTF8) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        byte[] chars = new byte[2 * s.length()];
        for (int i = 0; i < s.length(); i++) {
            chars[2 * i] = (byte) (s.charAt(i) >>> 8);
            chars[2 * i + 1] = (byte) s.charAt(i);
        }
        return chars;
    }

    private static boolean wellFormed(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    private static int fieldSize(byte[] b) {
        return 5 + (b == null ? 0 : b.length); // header (up to 5 bytes) + bytes
    }

    /**
     * Writes a string field at {@code at}: a variable-length header ({@code length << 2 | kind}, seven
     * bits per byte, low first) and the bytes. Returns the offset after it.
     */
    private int putString(int at, byte[] b, int kind) {
        int header = b == null ? NULL : b.length << 2 | kind;
        while ((header & ~0x7f) != 0) {
            data.put(at++, (byte) (header & 0x7f | 0x80));
            header >>>= 7;
        }
        data.put(at++, (byte) header);
        if (b != null) {
            data.put(at, b);
            at += b.length;
        }
        return at;
    }

    private int header(int at) {
        int header = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = data.get(at++);
            header |= (b & 0x7f) << shift;
            if (b >= 0) {
                return header;
            }
        }
    }

    private static int headerBytes(int header) {
        int n = 1;
        while ((header & ~0x7f) != 0) {
            header >>>= 7;
            n++;
        }
        return n;
    }

    /** Offset after the string field at {@code at}. */
    private int skip(int at) {
        int header = header(at);
        return at + headerBytes(header) + (header >>> 2);
    }

    private String string(int at) {
        int header = header(at);
        int kind = header & 3;
        int length = header >>> 2;
        int from = at + headerBytes(header);
        if (kind == NULL) {
            return null;
        }
        if (kind == UTF8) {
            byte[] utf8 = new byte[length];
            data.get(from, utf8);
            return new String(utf8, StandardCharsets.UTF_8);
        }
        char[] chars = new char[length / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ((data.get(from + 2 * i) & 0xff) << 8 | data.get(from + 2 * i + 1) & 0xff);
        }
        return new String(chars);
    }

    /** A new buffer of {@code size} with the records of {@code from} at its start and their offsets at its top. */
    private ByteBuffer copy(ByteBuffer from, int size) {
        ByteBuffer to = buffers.allocate(size);
        to.put(0, from, 0, used);
        int offsets = OFFSET_BYTES * count;
        to.put(size - offsets, from, from.capacity() - offsets, offsets);
        buffers.release(from);
        reused = false;
        return to;
    }
}
