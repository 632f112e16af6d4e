package dev.parley.chat.store.jdbc.internal;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.jdbc.JdbcDialect;
import dev.parley.chat.store.jdbc.JdbcStoreException;
import dev.parley.chat.store.jdbc.TransactionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Group commit: every append call puts a request on one queue and waits for its future; one writer
 * virtual thread takes whatever is queued (up to {@code maxBatch} messages; if that is fewer than the
 * previous batch had, it waits at most {@code maxWait} for the rest to come back), has its
 * {@link BatchWrite} write everything in one transaction (seqs assigned through its {@link Heads}: a
 * head cache, or head rows locked in the database on PostgreSQL; a {@link TransactionGuard}, if set,
 * runs first), and completes each request's future. A caller therefore returns exactly when the
 * transaction holding its messages committed. This class owns the queue, the writer thread, the
 * writer's connection and the retries; {@link BatchWrite} owns what happens inside one transaction.
 *
 * <p><b>Threads.</b> {@link #submit} runs in callers' threads and only touches the queue (guarded by
 * {@link #lock}). Everything else (the connection, the {@link BatchWrite} with its heads and prepared
 * statements) belongs to the writer thread alone and needs no lock.
 *
 * <p><b>Failures.</b> A batch is all or nothing; after a failure the heads of its conversations are
 * forgotten (reloaded from the database next time) and the writer's connection is closed (a fresh one
 * is taken next time, so a database that comes back is used again). A unique-key conflict (a resend of
 * a stored client id, or another process writing the same tables) retries the batch once with client
 * ids looked up first; if the batch still fails for a reason other than a lost connection, each request
 * is retried alone, so one bad request does not fail its neighbours. A guard's refusal (a
 * {@link StoreException}) fails the whole batch at once, without retries.
 */
public final class GroupCommitWriter {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);
    /** The writer gives its connection back after this long without work. */
    private static final long IDLE_RELEASE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private record Request(List<NewMessage> messages, CompletableFuture<List<AppendResult>> done) {
    }

    private final DataSource dataSource;
    private final JdbcDialect dialect;
    private final boolean groupCommit;
    private final int maxBatch;
    private final long maxWaitNanos;
    /** Writer thread only: one batch's transaction, with the heads and the guard. */
    private final BatchWrite batchWrite;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    /** Guarded by {@link #lock}. */
    private boolean closing;

    private final Thread thread;

    /** Writer thread only. */
    private Connection connection;
    /** Writer thread only: messages in the previous batch. */
    private int lastBatchMessages = 1;

    private final AtomicLong failedBatches = new AtomicLong();

    /**
     * A writer (not started yet) with the store's settings.
     *
     * @param maxBatch messages per transaction at most (1 request per transaction if not {@code groupCommit})
     * @param maxWaitNanos how long to wait for the previous batch's callers, 0 for never
     * @param headCacheSize conversation heads kept in memory (not on PostgreSQL, which locks them in the
     *     database instead)
     * @param queryTimeoutSeconds per statement, 0 for none
     * @param guard run first in every transaction, or {@code null}
     */
    public GroupCommitWriter(DataSource dataSource, JdbcDialect dialect, Tables tables, boolean groupCommit,
            int maxBatch, long maxWaitNanos, int headCacheSize, int queryTimeoutSeconds, TransactionGuard guard) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.groupCommit = groupCommit;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWaitNanos;
        this.batchWrite = new BatchWrite(dialect, tables, headCacheSize, queryTimeoutSeconds, guard);
        this.thread = Thread.ofVirtual().name("parley-store-writer").unstarted(this::run);
    }

    /** Starts the writer thread. */
    public void start() {
        thread.start();
    }

    /** The writer thread (for leak checks in tests). */
    public Thread thread() {
        return thread;
    }

    /**
     * Queues the messages and waits until the transaction that holds them committed or failed.
     *
     * @throws StoreException if the store is closing or the transaction failed
     */
    public List<AppendResult> submit(List<NewMessage> messages) {
        if (messages.isEmpty()) {
            return List.of();
        }
        Request request = new Request(List.copyOf(messages), new CompletableFuture<>());
        lock.lock();
        try {
            if (closing) {
                throw new StoreException("JDBC store is closed");
            }
            queue.add(request);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        try {
            // join() waits uninterruptibly: the writer always completes the future, and an interrupted
            // caller could otherwise not tell whether its messages were stored.
            return request.done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("append failed: " + e.getCause(), e.getCause());
        }
    }

    /** Stops taking requests, lets the writer finish what is queued, and waits for it to end. */
    public void close() {
        lock.lock();
        try {
            closing = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (!thread.join(java.time.Duration.ofSeconds(30))) {
                LOG.warn("Store writer did not finish within 30 s; interrupting it");
                thread.interrupt();
                thread.join(java.time.Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    /** Append calls queued and not yet taken by the writer (for tests). */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Transactions that committed at least one message. */
    public long transactions() {
        return batchWrite.transactions();
    }

    /** Messages committed so far. */
    public long committedMessages() {
        return batchWrite.committedMessages();
    }

    @Override
    public String toString() {
        long tx = batchWrite.transactions();
        long msgs = batchWrite.committedMessages();
        return "transactions=" + tx + ", messages=" + msgs
                + ", messagesPerTransaction=" + (tx == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.1f", (double) msgs / tx))
                + ", failedBatches=" + failedBatches.get();
    }

    // ------------------------------------------------------------------ writer thread

    private void run() {
        try {
            while (true) {
                List<Request> batch = nextBatch();
                if (batch == null) {
                    break;
                }
                if (batch.isEmpty()) {
                    LOG.debug("Store writer idle; giving its connection back");
                    releaseConnection();
                    continue;
                }
                try {
                    process(batch);
                } catch (Error e) {
                    failAll(batch, new StoreException("append failed: " + e, e));
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            LOG.debug("Store writer interrupted");
        } catch (RuntimeException | Error e) {
            LOG.error("Store writer failed", e);
        } finally {
            releaseConnection();
            failLeftovers();
        }
    }

    /** The next batch, an empty list if the connection should be released, or null when closed. */
    private List<Request> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) {
                    return null;
                }
                if (connection != null) {
                    if (notEmpty.awaitNanos(IDLE_RELEASE_NANOS) <= 0 && queue.isEmpty() && !closing) {
                        return List.of();
                    }
                } else {
                    notEmpty.await();
                }
            }
            List<Request> batch = new ArrayList<>();
            Request first = queue.poll();
            batch.add(first);
            int count = first.messages().size();
            if (!groupCommit) {
                return batch;
            }
            count = drain(batch, count);
            // Wait for more only while the batch is smaller than the previous one: the callers released
            // by the last commit are expected back. Under light load (previous batch of one) there is no
            // wait at all; under steady concurrency the batch fills up without sleeping the full maxWait.
            int target = Math.min(maxBatch, lastBatchMessages);
            if (maxWaitNanos > 0 && count < target) {
                long deadline = System.nanoTime() + maxWaitNanos;
                while (count < target && !closing) {
                    if (queue.isEmpty()) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        notEmpty.awaitNanos(left);
                        continue;
                    }
                    int before = count;
                    count = drain(batch, count);
                    if (count == before) {
                        break; // the next request does not fit
                    }
                }
            }
            lastBatchMessages = count;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Moves queued requests into the batch while they fit into {@code maxBatch}. Holds {@link #lock}. */
    private int drain(List<Request> batch, int count) {
        Request next;
        while ((next = queue.peek()) != null && count + next.messages().size() <= maxBatch) {
            batch.add(queue.poll());
            count += next.messages().size();
        }
        return count;
    }

    private void failLeftovers() {
        List<Request> left;
        lock.lock();
        try {
            closing = true;
            left = new ArrayList<>(queue);
            queue.clear();
        } finally {
            lock.unlock();
        }
        for (Request r : left) {
            r.done().completeExceptionally(new StoreException("JDBC store is closed"));
        }
    }

    private void process(List<Request> batch) {
        int messageCount = batch.stream().mapToInt(r -> r.messages().size()).sum();
        SQLException failure;
        try {
            complete(batch, write(batch, false));
            return;
        } catch (SQLException e) {
            failure = e;
        } catch (StoreException e) {
            LOG.debug("Write of {} messages refused: {}", messageCount, e.getMessage());
            failAll(batch, e); // a guard's refusal: no retry
            return;
        } catch (RuntimeException e) {
            LOG.warn("Unexpected failure writing {} messages", messageCount, e);
            failAll(batch, new StoreException("append of " + messageCount + " messages failed: " + e, e));
            return;
        }
        failedBatches.incrementAndGet();
        if (Sql.isConnectionFailure(failure)) {
            LOG.warn("Store write of {} messages failed, database unreachable: {}", messageCount, failure.toString());
            failAll(batch, failure);
            return;
        }
        if (Sql.isConstraintViolation(failure, dialect)) {
            LOG.debug("Unique-key conflict in a batch of {} messages; retrying with client ids looked up", messageCount);
            try {
                complete(batch, write(batch, true));
                return;
            } catch (SQLException e) {
                failure = e;
            } catch (RuntimeException e) {
                failAll(batch, e instanceof StoreException se ? se
                        : new StoreException("append of " + messageCount + " messages failed: " + e, e));
                return;
            }
            if (Sql.isConnectionFailure(failure)) {
                failAll(batch, failure);
                return;
            }
        }
        if (batch.size() == 1) {
            LOG.warn("Store write of {} messages failed: {}", messageCount, failure.toString());
            failAll(batch, failure);
            return;
        }
        LOG.debug("Batch of {} requests failed ({}); retrying each alone", batch.size(), failure.toString());
        for (Request r : batch) {
            try {
                complete(List.of(r), write(List.of(r), true));
            } catch (SQLException e) {
                LOG.warn("Store write of {} messages failed: {}", r.messages().size(), e.toString());
                failAll(List.of(r), e);
            } catch (RuntimeException e) {
                failAll(List.of(r), e instanceof StoreException se ? se : new StoreException("append failed: " + e, e));
            }
        }
    }

    private static void complete(List<Request> batch, List<List<AppendResult>> results) {
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(results.get(i));
        }
    }

    private static void failAll(List<Request> batch, SQLException e) {
        for (Request r : batch) {
            r.done().completeExceptionally(new JdbcStoreException("append of " + r.messages().size() + " messages", e));
        }
    }

    private static void failAll(List<Request> batch, StoreException e) {
        for (Request r : batch) {
            r.done().completeExceptionally(e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = dataSource.getConnection();
            try {
                if (dialect == JdbcDialect.H2) {
                    makeH2CommitsDurable(c);
                }
                c.setAutoCommit(false);
            } catch (SQLException e) {
                Sql.closeQuietly(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    /**
     * H2 writes a committed transaction to its file up to {@code WRITE_DELAY} ms later (500 by
     * default), so a process killed in between loses messages that were committed and acknowledged.
     * {@code WRITE_DELAY 0} makes each commit reach the file (the OS page cache) before it returns,
     * which survives a process crash. The setting belongs to the open database, so it is applied on the
     * connection that commits, each time the writer opens one: an embedded database closed and reopened
     * in between would otherwise be back on its default. If H2 refuses (it needs admin rights), say so
     * loudly rather than fail every append, and name the URL option that does the same.
     */
    private void makeH2CommitsDurable(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("SET WRITE_DELAY 0");
        } catch (SQLException e) {
            LOG.warn("H2 refused SET WRITE_DELAY 0 (SQLState {}, vendor code {}: {}); a crash may lose up to"
                    + " WRITE_DELAY ms of acknowledged messages: add ;WRITE_DELAY=0 to the JDBC URL",
                    e.getSQLState(), e.getErrorCode(), e.getMessage());
        }
    }

    private void releaseConnection() {
        if (connection != null) {
            Sql.rollbackQuietly(connection);
            Sql.closeQuietly(connection);
            connection = null;
        }
    }

    /**
     * Writes the requests in one transaction on the writer's connection (see {@link BatchWrite}) and
     * returns their results; on failure rolls back, drops the connection (the batch write has forgotten
     * the heads involved), and throws.
     */
    private List<List<AppendResult>> write(List<Request> requests, boolean careful) throws SQLException {
        try {
            Connection c = connection();
            List<List<NewMessage>> messages = new ArrayList<>(requests.size());
            for (Request r : requests) {
                messages.add(r.messages());
            }
            return batchWrite.write(c, messages, careful);
        } catch (SQLException | RuntimeException e) {
            releaseConnection();
            throw e;
        }
    }
}
