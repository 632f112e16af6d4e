package dev.parley.chat.store.memory;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packed log against a plain list of records, and the bounds that retention promises. */
@Timeout(30)
class MessageLogTest {

    @Test
    void stringsAndTimesRoundTripExactly() {
        MessageLog log = new MessageLog("#odd", 0);
        List<NewMessage> sent = List.of(
                new NewMessage("#odd", "ann", "", Instant.EPOCH, null),
                new NewMessage("#odd", "b\uD800b", "lone high \uD800 and low \uDC00 surrogates", Instant.MIN, "x\uDFFF"),
                new NewMessage("#odd", "\u05E9\uD83D\uDE00", "\uD83D\uDE00".repeat(20_000), Instant.MAX, "\u00e9"),
                new NewMessage("#odd", "c", "tab\tand\r\nlines", Instant.parse("2026-12-04T10:00:00.123456789Z"), "id"),
                new NewMessage("#odd", "d", "trailing high \uD83D", Instant.ofEpochSecond(-1, 999_999_999), "y".repeat(64)));
        for (NewMessage m : sent) {
            log.append(m);
        }
        List<StoredMessage> read = log.after(0, 100);
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(StoredMessage.of(sent.get(i), i + 1), read.get(i));
        }
        assertEquals(read.get(1), log.find("b\uD800b", "x\uDFFF"));
        assertNull(log.find("b\uD800b", "x"));
    }

    @Test
    void idsWithEqualHashesAreTellApart() {
        // "Aa" and "BB" have the same String.hashCode, so these ids share a hash and a probe chain.
        MessageLog log = new MessageLog("#h", 0);
        assertFalse(log.append(new NewMessage("#h", "ann", "1", Instant.EPOCH, "AaAa")).duplicate());
        assertFalse(log.append(new NewMessage("#h", "ann", "2", Instant.EPOCH, "BBBB")).duplicate());
        assertFalse(log.append(new NewMessage("#h", "ann", "3", Instant.EPOCH, "AaBB")).duplicate());
        assertFalse(log.append(new NewMessage("#h", "bob", "4", Instant.EPOCH, "AaAa")).duplicate(), "another sender's id");
        AppendResult again = log.append(new NewMessage("#h", "ann", "other text", Instant.EPOCH, "BBBB"));
        assertTrue(again.duplicate());
        assertEquals("2", again.message().text());
        assertEquals(4, log.head());
    }

    /** Random appends (some ids repeated), reads and lookups, checked against a list that keeps everything. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 10, 100, 1000})
    void behavesLikeAListOfRecords(int retention) {
        Random random = new Random(retention * 31L + 7);
        MessageLog log = new MessageLog("#m", retention);
        List<StoredMessage> all = new ArrayList<>();
        Map<String, StoredMessage> byId = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            String sender = "u" + random.nextInt(40); // more than a block's first sender table
            String id = random.nextInt(4) == 0 ? null : "c" + random.nextInt(5_000);
            NewMessage m = new NewMessage("#m", sender, "t" + step, Instant.ofEpochMilli(step), id);
            long firstKept = Math.max(1, all.size() - (retention == 0 ? all.size() : retention) + 1);
            StoredMessage earlier = id == null ? null : byId.get(sender + "/" + id);
            boolean live = earlier != null && earlier.seq() >= firstKept;
            AppendResult r = log.append(m);
            assertEquals(live, r.duplicate(), "step " + step);
            if (live) {
                assertEquals(earlier, r.message());
            } else {
                StoredMessage stored = StoredMessage.of(m, all.size() + 1);
                assertEquals(stored, r.message());
                all.add(stored);
                if (id != null) {
                    byId.put(sender + "/" + id, stored);
                }
            }
            if (step % 97 == 0) {
                long head = all.size();
                long first = retention == 0 ? 1 : Math.max(1, head - retention + 1);
                long after = random.nextLong(head + 2);
                int limit = 1 + random.nextInt(50);
                assertEquals(expected(all, Math.max(after + 1, first), Math.min(head, Math.max(after + 1, first) + limit - 1)),
                        log.after(after, limit), "after " + after);
                long before = random.nextLong(head + 2) + 1;
                long to = Math.min(before - 1, head);
                assertEquals(expected(all, Math.max(first, to - limit + 1), to), log.before(before, limit), "before " + before);
                String probe = "c" + random.nextInt(5_000);
                StoredMessage known = byId.get("u0/" + probe);
                assertEquals(known != null && known.seq() >= first ? known : null, log.find("u0", probe));
            }
        }
        assertEquals(all.size(), log.head());
    }

    @Test
    void retentionBoundsWhatIsHeld() {
        int retention = 1000;
        MessageLog log = new MessageLog("#r", retention);
        long most = 0;
        for (int i = 1; i <= 200_000; i++) {
            log.append(new NewMessage("#r", "ann", "message number " + i, Instant.EPOCH, "id" + i));
            most = Math.max(most, log.footprint());
        }
        // At most an eighth of the limit is held beyond it (block size 64 for 1000), and the id table
        // is rebuilt from the live ids: nothing grows with the 200,000 appended.
        assertTrue(log.blockCount() <= retention / 64 + 2, "blocks: " + log.blockCount());
        assertTrue(most < 200_000, "bytes held at most: " + most);
        assertEquals(retention, log.after(0, Integer.MAX_VALUE).size());
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 100_000})
    void aBoundedConversationsBlocksHoldAtMostAnEighthOfItsLimitAndAtMost128(int retention) {
        // Its blocks die as it goes on: larger ones would only keep more dropped messages in memory.
        int blockSize = Math.min(MessageLog.FIRST_BLOCK_SIZE, Integer.highestOneBit(retention / 8));
        MessageLog log = new MessageLog("#e", retention);
        for (int i = 0; i < 3 * blockSize; i++) {
            log.append(new NewMessage("#e", "ann", "x", Instant.EPOCH, null));
        }
        assertEquals(3, log.blockCount());
        log.append(new NewMessage("#e", "ann", "x", Instant.EPOCH, null));
        assertEquals(4, log.blockCount());
    }

    @Test
    void retentionReusesTheBuffersOfDroppedBlocks() {
        int retention = 1000;
        BlockBuffers buffers = new BlockBuffers(Long.MAX_VALUE);
        MessageLog log = new MessageLog("#r", retention, buffers);
        for (int i = 1; i <= 2 * retention; i++) {
            log.append(new NewMessage("#r", "ann", "message " + (100_000 + i), Instant.EPOCH, null));
        }
        long settled = buffers.allocatedBytes();
        for (int i = 1; i <= 200_000; i++) {
            log.append(new NewMessage("#r", "ann", "message " + (300_000 + i), Instant.EPOCH, null));
        }
        // 200,000 messages of the same size made 3,125 blocks of 64 after the first 2,000: each took
        // the buffer of the block retention dropped just before, and none was allocated.
        assertEquals(settled, buffers.allocatedBytes());
        List<StoredMessage> kept = log.after(0, Integer.MAX_VALUE);
        assertEquals(retention, kept.size());
        assertEquals("message " + (300_000 + 200_000 - retention + 1), kept.get(0).text());
        assertEquals("message 500000", kept.get(retention - 1).text());
    }

    @Test
    void blocksPastTheDirectMemoryBudgetAreKeptOnTheHeap() {
        BlockBuffers buffers = new BlockBuffers(50_000);
        MessageLog log = new MessageLog("#h", 0, buffers);
        for (int i = 0; i < 2_000; i++) {
            log.append(new NewMessage("#h", "ann", "message " + i + " " + "x".repeat(100), Instant.EPOCH, null));
        }
        assertTrue(buffers.directBytes() > 0 && buffers.directBytes() <= 50_000, "direct: " + buffers.directBytes());
        List<StoredMessage> all = log.after(0, Integer.MAX_VALUE);
        assertEquals(2_000, all.size());
        for (int i = 0; i < 2_000; i++) {
            assertEquals("message " + i + " " + "x".repeat(100), all.get(i).text());
        }
    }

    @Test
    void buffersGivenUpNoLongerCountAgainstTheBudget() {
        BlockBuffers buffers = new BlockBuffers(Long.MAX_VALUE);
        MessageLog log = new MessageLog("#c", 1000, buffers);
        for (int i = 1; i <= 200_000; i++) {
            // lengths that change, so that blocks grow, are trimmed and find dropped buffers too small
            log.append(new NewMessage("#c", "ann", "m".repeat(1 + i / 1000 % 50), Instant.EPOCH, null));
        }
        // What is counted is what the kept blocks hold (and the spare), not everything ever allocated.
        assertTrue(buffers.directBytes() <= log.footprint() + 64 * 51 * 8, "direct: " + buffers.directBytes()
                + ", footprint: " + log.footprint() + ", allocated: " + buffers.allocatedBytes());
        assertTrue(buffers.allocatedBytes() > 10 * buffers.directBytes(), "allocated: " + buffers.allocatedBytes());
    }

    @Test
    void aReusedBufferTooSmallForTheNextBlockIsReplaced() {
        MessageLog log = new MessageLog("#s", 64); // blocks of 8
        for (int i = 0; i < 200; i++) {
            log.append(new NewMessage("#s", "ann", "short", Instant.EPOCH, null));
        }
        for (int i = 0; i < 200; i++) {
            log.append(new NewMessage("#s", "ann", "a much longer text " + i + " ".repeat(200), Instant.EPOCH, null));
        }
        List<StoredMessage> kept = log.after(0, Integer.MAX_VALUE);
        assertEquals(64, kept.size());
        for (int i = 0; i < 64; i++) {
            assertEquals("a much longer text " + (136 + i) + " ".repeat(200), kept.get(i).text());
        }
    }

    @Test
    void aBlockKeepsEverySenderOfAFullBlockApart() {
        // A full second block of MAX_BLOCK_SIZE messages, each from a sender of its own: more senders
        // than one byte can index, so each record names its sender with two.
        MessageLog log = new MessageLog("#s", 0);
        assertTrue(MessageLog.MAX_BLOCK_SIZE > 256, "blocks of " + MessageLog.MAX_BLOCK_SIZE);
        int n = MessageLog.FIRST_BLOCK_SIZE + MessageLog.MAX_BLOCK_SIZE;
        for (int i = 0; i < n + 1; i++) {
            log.append(new NewMessage("#s", "user" + i, "hi " + i, Instant.EPOCH, "c" + i));
        }
        List<StoredMessage> all = log.after(0, Integer.MAX_VALUE);
        assertEquals(n + 1, all.size());
        for (int i = 0; i < n + 1; i++) {
            assertEquals("user" + i, all.get(i).sender());
            assertEquals("hi " + i, all.get(i).text());
            assertEquals(i + 1L, log.find("user" + i, "c" + i).seq());
        }
    }

    @Test
    void aFullBlockGivesItsSlackBack() {
        MessageLog log = new MessageLog("#f", 0);
        for (int i = 0; i < MessageLog.FIRST_BLOCK_SIZE; i++) {
            log.append(new NewMessage("#f", "ann", "x", Instant.EPOCH, null));
        }
        // FIRST_BLOCK_SIZE records of 12 (time) + 2 (sender index) + 1 (no client id) + 2 (text) bytes, each
        // with its 4-byte end offset, and a table of one sender (4 slots): no doubling slack left.
        int n = MessageLog.FIRST_BLOCK_SIZE;
        assertEquals(n * 17 + n * 4 + 4 * 4, log.footprint());
    }

    @Test
    void aBusyConversationsNextBlockGrowsInStepsUpToTheSizeOfTheLast() {
        MessageLog log = new MessageLog("#b", 0);
        int size = MessageLog.MAX_BLOCK_SIZE, step = MessageLog.FIRST_BLOCK_SIZE;
        int record = 12 + 2 + 1 + 2 + 100 + 4; // time, sender, no client id, text field, end offset
        for (int i = 0; i < step; i++) {
            log.append(new NewMessage("#b", "ann", "x".repeat(100), Instant.EPOCH, null));
        }
        long first = log.footprint();
        for (int i = 0; i < size; i++) {
            log.append(new NewMessage("#b", "ann", "x".repeat(100), Instant.EPOCH, null));
        }
        long second = log.footprint() - first;
        assertEquals(2, log.blockCount());
        List<Long> thirdSizes = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            log.append(new NewMessage("#b", "ann", "x".repeat(100), Instant.EPOCH, null));
            long third = log.footprint() - first - second;
            if (thirdSizes.isEmpty() || thirdSizes.get(thirdSizes.size() - 1) != third) {
                thirdSizes.add(third);
            }
            // Never more than about FIRST_BLOCK_SIZE messages' worth unused (its table of one sender: 16).
            long unused = third - 16 - (long) i * record;
            assertTrue(unused <= step * (record + 1L) + 64, "after " + i + " messages " + unused + " unused");
        }
        assertEquals(3, log.blockCount());
        // A buffer per FIRST_BLOCK_SIZE messages, as with blocks of that size.
        assertEquals(size / step, thirdSizes.size(), "the third block's sizes: " + thirdSizes);
        // Full with less than 1/32 spare: kept as it is.
        long third = thirdSizes.get(thirdSizes.size() - 1);
        assertTrue(third >= second && third - second <= second / 32, "held " + third + " for a block like one of " + second);
        assertEquals(step + 2 * size, log.after(0, Integer.MAX_VALUE).size());
    }

    @Test
    void aConversationsSecondBlockStartsAtTheSizeOfItsFirst() {
        // The second block holds more messages than the first: made whole, it would hold a mostly
        // empty buffer for every conversation just past its first block.
        MessageLog log = new MessageLog("#t", 0);
        for (int i = 0; i < MessageLog.FIRST_BLOCK_SIZE; i++) {
            log.append(new NewMessage("#t", "ann", "x".repeat(100), Instant.EPOCH, null));
        }
        long first = log.footprint();
        log.append(new NewMessage("#t", "ann", "x".repeat(100), Instant.EPOCH, null));
        long second = log.footprint() - first;
        assertTrue(second >= first - 64 && second <= first + first / 64 + 64, "the second block started at " + second
                + " after a first of " + first);
    }

    @Test
    void aBlockOfLongerMessagesThanTheLastGrowsToWhatItsRestIsLikelyToTake() {
        MessageLog log = new MessageLog("#g", 0);
        int size = MessageLog.MAX_BLOCK_SIZE;
        int twoBlocks = MessageLog.FIRST_BLOCK_SIZE + size;
        for (int i = 0; i < twoBlocks; i++) {
            log.append(new NewMessage("#g", "ann", "short", Instant.EPOCH, null));
        }
        long before = log.footprint();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            log.append(new NewMessage("#g", "ann", "a longer text " + i + " ".repeat(50), Instant.EPOCH, null));
            if (sizes.isEmpty() || sizes.get(sizes.size() - 1) != log.footprint()) {
                sizes.add(log.footprint());
            }
        }
        // Steps of FIRST_BLOCK_SIZE messages at this block's average so far (these messages are about
        // three times as long as the last block's), then at most a small correction.
        assertTrue(sizes.size() <= MessageLog.MAX_BLOCK_SIZE / MessageLog.FIRST_BLOCK_SIZE + 2,
                "the block was made " + sizes.size() + " times: " + sizes);
        List<StoredMessage> all = log.after(0, Integer.MAX_VALUE);
        assertEquals(twoBlocks + size, all.size());
        assertEquals("a longer text " + (size - 1) + " ".repeat(50), all.get(twoBlocks + size - 1).text());
        assertTrue(log.footprint() - before < 2 * (before + size * 70L), "held " + log.footprint());
    }

    @Test
    void aBlockAfterOneOfHugeMessagesStartsSmall() {
        MessageLog log = new MessageLog("#h", 0);
        String huge = "y".repeat(MessageBlock.MAX_EXPECTED_BYTES / 64);
        for (int i = 0; i < MessageLog.FIRST_BLOCK_SIZE; i++) {
            log.append(new NewMessage("#h", "ann", huge, Instant.EPOCH, null));
        }
        long first = log.footprint();
        log.append(new NewMessage("#h", "ann", "small", Instant.EPOCH, null));
        assertTrue(log.footprint() - first < 1024, "a block after " + first + " bytes started at " + (log.footprint() - first));
    }

    private static List<StoredMessage> expected(List<StoredMessage> all, long from, long to) {
        return from > to ? List.of() : all.subList((int) from - 1, (int) to);
    }
}
