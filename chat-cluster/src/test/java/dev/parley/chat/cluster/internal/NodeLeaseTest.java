package dev.parley.chat.cluster.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.chat.cluster.Announcement;
import dev.parley.chat.cluster.Pg;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lease on a fake monotonic clock (the database's clock is real): when a node fences itself. */
@Timeout(60)
class NodeLeaseTest {
    private static final Duration LEASE = Duration.ofSeconds(10);
    private final String schema = Pg.freshSchema();
    private final HikariDataSource pool = Pg.pool(schema, "lease", 3);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final BlockingQueue<String> fenced = new LinkedBlockingQueue<>();
    private NodeLease lease;

    private NodeLease start() {
        Pg.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
        ClusterTables tables = new ClusterTables(schema, "parley_");
        ClusterSchema.prepare(pool, tables, schema, true);
        lease = new NodeLease(new Db(pool, 30), tables, "n", LEASE, Duration.ofSeconds(2), Duration.ofSeconds(1),
                false, now::get);
        lease.register();
        lease.start(new NodeLease.Listener() {
            @Override
            public void fenced(String reason) {
                fenced.add(reason);
            }

            @Override
            public void rejoined(long nodeId) {
            }

            @Override
            public void reaped(List<Announcement> events) {
            }

            @Override
            public void tick() {
            }
        });
        return lease;
    }

    @AfterEach
    void tearDown() {
        if (lease != null) {
            lease.stop(false);
        }
        pool.close();
        Pg.dropSchema(schema);
    }

    private String nextFence() throws InterruptedException {
        String reason = fenced.poll(30, TimeUnit.SECONDS);
        assertNotNull(reason, "not fenced within 30 s");
        return reason;
    }

    @Test
    void aNodeThatCannotRenewFencesItselfWhenItsLeaseRunsOutOnItsOwnClock() throws Exception {
        NodeLease l = start();
        pool.close(); // the database cannot be reached: every renewal fails
        now.addAndGet(Duration.ofSeconds(2).toNanos()); // renewals are due, and fail
        now.addAndGet(LEASE.toNanos() - Duration.ofSeconds(2).toNanos() - 1);
        assertFalse(l.fenced());
        now.addAndGet(1);
        assertTrue(nextFence().contains("could not renew its lease within PT10S"));
        assertTrue(l.fenced());
        // refused locally, before the database is asked (so no connection is needed)
        assertThrows(FencedException.class, () -> l.guard(null));
    }

    @Test
    void aRenewalTheDatabaseRefusesFencesTheNode() throws Exception {
        NodeLease l = start();
        Pg.execute("UPDATE \"" + schema + "\".parley_node SET state = 'dead' WHERE id = " + l.id());
        now.addAndGet(Duration.ofSeconds(2).toNanos()); // a renewal is due
        assertTrue(nextFence().contains("declared dead before it could renew"));
    }

    @Test
    void theGuardRefusesAnExpiredLeaseWhateverTheNodeBelieves() throws Exception {
        NodeLease l = start();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            l.guard(c); // alive: passes
            c.rollback();
        }
        Pg.execute("UPDATE \"" + schema + "\".parley_node SET lease_until = clock_timestamp() - INTERVAL '1 millisecond'"
                + " WHERE id = " + l.id());
        assertFalse(l.fenced(), "the node does not know yet");
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            assertThrows(FencedException.class, () -> l.guard(c));
            c.rollback();
        }
        assertTrue(nextFence().contains("the database says"));
        assertEquals(true, l.fenced());
    }
}
