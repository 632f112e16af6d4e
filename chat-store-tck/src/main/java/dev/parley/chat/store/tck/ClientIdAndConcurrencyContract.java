package dev.parley.chat.store.tck;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contract tests: idempotent client ids, and seqs under concurrent appends. */
abstract class ClientIdAndConcurrencyContract extends BasicsContract {

    // ---------------------------------------------------------------- idempotent client ids

    @Test
    void resendWithSameClientIdReturnsTheStoredMessage() {
        StoredMessage first = appendOne(msg("#i", "ann", "hello", "id-1"));
        List<AppendResult> again = store.append(List.of(msg("#i", "ann", "hello (resent)", "id-1")));
        assertTrue(again.get(0).duplicate());
        assertEquals(first, again.get(0).message(), "the copy stored earlier, text and all");
        assertEquals(1, store.head("#i"));
        assertEquals(List.of(first), store.readAfter("#i", 0, 10));
        assertEquals(Optional.of(first), store.findByClientId("#i", "ann", "id-1"));
    }

    @Test
    void clientIdsAreScopedBySenderAndConversation() {
        StoredMessage a = appendOne(msg("#i", "ann", "a", "same"));
        StoredMessage b = appendOne(msg("#i", "bob", "b", "same"));
        StoredMessage c = appendOne(msg("#j", "ann", "c", "same"));
        assertEquals(List.of(1L, 2L, 1L), List.of(a.seq(), b.seq(), c.seq()));
        assertEquals(Optional.of(b), store.findByClientId("#i", "bob", "same"));
        assertEquals(Optional.empty(), store.findByClientId("#i", "carol", "same"));
        assertEquals(Optional.empty(), store.findByClientId("#i", "ann", "other"));
        assertEquals(Optional.of(c), store.findByClientId("#j", "ann", "same"));
    }

    @Test
    void messagesWithoutClientIdAreNeverDuplicates() {
        List<AppendResult> r = store.append(List.of(msg("#n", "ann", "same"), msg("#n", "ann", "same")));
        assertFalse(r.get(0).duplicate());
        assertFalse(r.get(1).duplicate());
        assertEquals(List.of(1L, 2L), r.stream().map(x -> x.message().seq()).toList());
    }

    @Test
    void duplicateWithinOneBatchIsStoredOnce() {
        List<AppendResult> r = store.append(List.of(
                msg("#d", "ann", "one", "id-1"), msg("#d", "bob", "two", "id-1"),
                msg("#d", "ann", "one again", "id-1"), msg("#d", "ann", "three", "id-2")));
        assertEquals(List.of(false, false, true, false), r.stream().map(AppendResult::duplicate).toList());
        assertEquals(List.of(1L, 2L, 1L, 3L), r.stream().map(x -> x.message().seq()).toList());
        assertEquals("one", r.get(2).message().text());
        assertEquals(3, store.head("#d"));
        assertEquals(List.of("one", "two", "three"), store.readAfter("#d", 0, 10).stream().map(StoredMessage::text).toList());
    }

    @Test
    void concurrentResendsOfOneClientIdStoreItOnce() throws Exception {
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AppendResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.append(List.of(msg("#dup", "ann", "try " + n, "the-id"))).get(0);
                }));
            }
            start.countDown();
            int fresh = 0;
            Set<StoredMessage> stored = new HashSet<>();
            for (Future<AppendResult> f : futures) {
                AppendResult r = f.get(60, TimeUnit.SECONDS);
                if (!r.duplicate()) {
                    fresh++;
                }
                stored.add(r.message());
            }
            assertEquals(1, fresh, "exactly one call stored it");
            assertEquals(1, stored.size(), "every call saw the same stored message");
            assertEquals(1, stored.iterator().next().seq());
        }
        assertEquals(1, store.head("#dup"));
        assertEquals(1, store.readAfter("#dup", 0, 100).size());
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentAppendsFromManyThreadsHaveNoGapsOrDuplicates() throws Exception {
        int threads = 16;
        int perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(store.append(List.of(msg("#busy", "t" + thread, thread + ":" + i))).get(0).message().seq());
                    }
                    return mine;
                }));
            }
            start.countDown();
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : futures) {
                List<Long> mine = f.get(100, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i) > mine.get(i - 1), "one thread's messages are sequenced in call order");
                }
                all.addAll(mine);
            }
            assertEquals(threads * perThread, all.size(), "no duplicate seq");
            assertEquals(new HashSet<>(range(1, threads * perThread)), all, "no gap");
        }
        assertEquals(threads * perThread, store.head("#busy"));
        List<StoredMessage> read = store.readAfter("#busy", 0, Integer.MAX_VALUE);
        assertEquals(range(1, threads * perThread), seqs(read));
        int[] next = new int[threads];
        for (StoredMessage m : read) {
            int thread = Integer.parseInt(m.sender().substring(1));
            assertEquals(thread + ":" + next[thread]++, m.text(), "per-sender order follows seq order");
        }
    }

    @Test
    void concurrentBatchesAcrossConversationsHaveNoGapsOrDuplicates() throws Exception {
        int threads = 8;
        int batches = 50;
        List<String> keys = List.of("#c0", "#c1", "#c2", "@a b");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<AppendResult>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<AppendResult> mine = new ArrayList<>();
                    for (int b = 0; b < batches; b++) {
                        List<NewMessage> batch = new ArrayList<>();
                        for (int k = 0; k <= (b + thread) % 5; k++) {
                            batch.add(msg(keys.get((b + k + thread) % keys.size()), "t" + thread, b + "/" + k));
                        }
                        List<AppendResult> r = store.append(batch);
                        assertEquals(batch.size(), r.size());
                        mine.addAll(r);
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<AppendResult> all = new ArrayList<>();
            for (Future<List<AppendResult>> f : futures) {
                all.addAll(f.get(100, TimeUnit.SECONDS));
            }
            for (String key : keys) {
                List<Long> got = all.stream().map(AppendResult::message)
                        .filter(m -> m.conversation().equals(key)).map(StoredMessage::seq).sorted().toList();
                assertEquals(range(1, got.size()), got, key);
                assertEquals(got.size(), store.head(key), key);
                assertEquals(got, seqs(store.readAfter(key, 0, Integer.MAX_VALUE)), key);
            }
        }
    }

    @Test
    void aMessageIsVisibleToOtherThreadsOnceAppendReturned() throws Exception {
        StoredMessage m = appendOne(msg("#v", "ann", "seen?"));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<StoredMessage>> read = pool.submit(() -> store.readAfter("#v", 0, 10));
            assertEquals(List.of(m), read.get(30, TimeUnit.SECONDS));
            Future<Long> head = pool.submit(() -> store.head("#v"));
            assertEquals(1L, head.get(30, TimeUnit.SECONDS));
        }
    }
}
