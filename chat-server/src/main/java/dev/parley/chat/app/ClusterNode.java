package dev.parley.chat.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.chat.cluster.PostgresCluster;
import java.time.Duration;

/**
 * The server as one node of a cluster ({@code --node ID}): a connection pool on the PostgreSQL
 * database of {@code --jdbc-url} and a {@link PostgresCluster} on it, whose store has the store
 * options. Every node started with the same URL (and schema, {@code currentSchema=}) is part of the
 * same chat.
 */
record ClusterNode(HikariDataSource pool, PostgresCluster cluster) implements AutoCloseable {

    /** Opens the pool and builds the cluster node (and its store, creating the tables if missing). */
    static ClusterNode open(String node, Duration lease, StoreOptions store) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(store.jdbcUrl);
        if (store.jdbcUser != null) {
            config.setUsername(store.jdbcUser);
        }
        if (store.jdbcPassword != null) {
            config.setPassword(store.jdbcPassword);
        }
        config.setMaximumPoolSize(16);
        config.setPoolName("parley-" + node);
        config.setConnectionTimeout(5_000);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            PostgresCluster.Builder b = PostgresCluster.builder(pool).nodeName(node).store(store::configure);
            if (lease != null) {
                b.lease(lease);
            }
            return new ClusterNode(pool, b.build());
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Leaves the cluster, closes the store and the pool (after the server closed). */
    @Override
    public void close() {
        cluster.close();
        pool.close();
    }
}
