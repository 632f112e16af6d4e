package dev.parley.chat.store.memory;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One conversation's messages: sequenced, packed into {@link MessageBlock}s of a fixed number of
 * messages, trimmed to the retention limit, and indexed by (sender, client id) for idempotent appends.
 * Without a retention limit the first block holds {@link #FIRST_BLOCK_SIZE} messages (most conversations
 * stay small) and every later one {@link #MAX_BLOCK_SIZE} (fewer objects on the heap for a busy one);
 * with one, every block holds the same number, at most {@link #FIRST_BLOCK_SIZE}. Block {@code k > 0} holds seqs
 * {@code first + (k - 1) * blockSize + 1 .. first + k * blockSize}, so finding a seq is arithmetic.
 * Not thread safe: {@link InMemoryMessageStore} guards each log with its conversation's lock.
 *
 * <p>With a retention limit, messages older than {@link #firstKept} are gone for every reader at once;
 * their block is dropped when all of its messages are, so at most {@code blockSize - 1} dropped
 * messages stay in memory, and the block size is at most an eighth of the limit (and at most
 * {@link #FIRST_BLOCK_SIZE}: a bounded conversation's blocks die as it goes on, so larger ones would
 * only keep more dropped messages).
 */
final class MessageLog {
    /** Messages per block without a retention limit, after the first. */
    static final int MAX_BLOCK_SIZE = 1024;
    /** Messages in a conversation's first block without a retention limit (most conversations stay small). */
    static final int FIRST_BLOCK_SIZE = 128;

    private final String conversation;
    private final int maxMessages;
    private final int blockShift;
    /** Messages in block 0; every later block holds {@code 1 << blockShift}. */
    private final int firstBlockSize;
    /** Blocks in seq order; the first holds {@link #firstKept} (or is the next to be made). */
    private final ArrayList<MessageBlock> blocks = new ArrayList<>();
    private final ClientIdIndex clientIds = new ClientIdIndex();
    private long head;
    /** The buffer of the last block dropped by retention, for the next block to reuse; or {@code null}. */
    private ByteBuffer spare;
    /** Seq of the oldest message readers may see (1 without retention). */
    private long firstKept = 1;

    private final BlockBuffers buffers;

    /** A log that keeps the newest {@code maxMessages} messages, or every message if it is 0. */
    MessageLog(String conversation, int maxMessages) {
        this(conversation, maxMessages, BlockBuffers.forThisJvm());
    }

    /** The same, its blocks' buffers from {@code buffers} (shared by a store's logs). */
    MessageLog(String conversation, int maxMessages, BlockBuffers buffers) {
        this.buffers = buffers;
        this.conversation = conversation;
        this.maxMessages = maxMessages;
        int blockSize = maxMessages == 0 ? MAX_BLOCK_SIZE
                : Integer.highestOneBit(Math.max(1, Math.min(FIRST_BLOCK_SIZE, maxMessages / 8)));
        this.blockShift = Integer.numberOfTrailingZeros(blockSize);
        this.firstBlockSize = maxMessages == 0 ? FIRST_BLOCK_SIZE : blockSize;
    }

    long head() {
        return head;
    }

    /** Appends {@code m} with the next seq, or returns the earlier message with its sender and client id. */
    AppendResult append(NewMessage m) {
        int idHash = m.clientId() == null ? 0 : ClientIdIndex.hash(m.sender(), m.clientId());
        if (m.clientId() != null) {
            long earlier = seqOf(m.sender(), m.clientId(), idHash);
            if (earlier != 0) {
                return new AppendResult(get(earlier), true);
            }
        }
        long seq = head + 1;
        MessageBlock last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
        if (last == null || last.full()) {
            // sized from the full block before it (scaled to this one's number of messages)
            int capacity = last == null ? firstBlockSize : 1 << blockShift;
            int expected = last == null ? 0 : (int) Math.min(Integer.MAX_VALUE, (long) last.usedBytes() * capacity / last.capacity());
            last = new MessageBlock(seq, capacity, expected, spare, buffers);
            spare = null;
            blocks.add(last);
        }
        last.add(m); // changes nothing if it throws (out of memory), so neither does the append
        head = seq;
        if (maxMessages > 0) {
            trim();
        }
        if (m.clientId() != null) {
            clientIds.put(idHash, seq, firstKept);
        }
        return new AppendResult(StoredMessage.of(m, seq), false);
    }

    /** The kept message with this sender and client id, or {@code null}. */
    StoredMessage find(String sender, String clientId) {
        long seq = seqOf(sender, clientId, ClientIdIndex.hash(sender, clientId));
        return seq == 0 ? null : get(seq);
    }

    /** Up to {@code limit} kept messages with seq above {@code afterSeq}, oldest first. */
    List<StoredMessage> after(long afterSeq, int limit) {
        if (afterSeq >= head) {
            return List.of(); // also keeps afterSeq + 1 from overflowing
        }
        long from = Math.max(afterSeq + 1, firstKept);
        if (from > head) {
            return List.of();
        }
        return range(from, Math.min(head, from + limit - 1L));
    }

    /** Up to {@code limit} kept messages with seq below {@code beforeSeq}, the newest of them, oldest first. */
    List<StoredMessage> before(long beforeSeq, int limit) {
        long to = Math.min(beforeSeq - 1, head);
        if (to < firstKept) {
            return List.of();
        }
        return range(Math.max(firstKept, to - limit + 1L), to);
    }

    /** Bytes held by this log's blocks and index arrays (not counting object headers), for tests. */
    long footprint() {
        long bytes = clientIds.footprint();
        for (MessageBlock b : blocks) {
            bytes += b.footprint();
        }
        return bytes;
    }

    /** Blocks held, for tests. */
    int blockCount() {
        return blocks.size();
    }

    private List<StoredMessage> range(long from, long to) {
        StoredMessage[] out = new StoredMessage[(int) (to - from + 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(from + i);
        }
        return List.of(out);
    }

    private StoredMessage get(long seq) {
        MessageBlock b = blockOf(seq);
        return b.get(conversation, (int) (seq - b.firstSeq));
    }

    private MessageBlock blockOf(long seq) {
        return blocks.get((int) (blockNumber(seq) - blockNumber(blocks.get(0).firstSeq)));
    }

    /** The number of the block that holds {@code seq}: block 0 the first {@link #firstBlockSize}, then one per {@code 1 << blockShift}. */
    private long blockNumber(long seq) {
        return seq <= firstBlockSize ? 0 : 1 + (seq - firstBlockSize - 1 >>> blockShift);
    }

    /** The seq of the kept message with this sender and client id ({@code hash} is theirs), or 0. */
    private long seqOf(String sender, String clientId, int hash) {
        for (int slot = clientIds.first(hash); ; slot = clientIds.next(slot)) {
            long seq = clientIds.seq(slot);
            if (seq == 0) {
                return 0;
            }
            if (seq >= firstKept && clientIds.hash(slot) == hash) {
                MessageBlock b = blockOf(seq);
                if (b.hasClientId((int) (seq - b.firstSeq), sender, clientId)) {
                    return seq;
                }
            }
        }
    }

    private void trim() {
        firstKept = Math.max(firstKept, head - maxMessages + 1);
        int drop = 0;
        while (drop < blocks.size() - 1 && blocks.get(drop + 1).firstSeq <= firstKept) {
            drop++;
        }
        if (drop > 0) {
            List<MessageBlock> dropped = blocks.subList(0, drop);
            for (MessageBlock b : dropped) {
                ByteBuffer buffer = b.release();
                if (buffer != null && (spare == null || buffer.capacity() > spare.capacity())) {
                    buffers.release(spare);
                    spare = buffer;
                } else {
                    buffers.release(buffer);
                }
            }
            dropped.clear();
        }
    }
}
