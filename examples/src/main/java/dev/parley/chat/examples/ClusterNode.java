package dev.parley.chat.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.chat.cluster.PostgresCluster;

/**
 * The example server as one node of a cluster ({@code --node ID}): a connection pool on the
 * PostgreSQL database of {@code --jdbc-url} and a {@link PostgresCluster} on it. Every node started
 * with the same URL (and schema, {@code currentSchema=}) is part of the same chat.
 */
record ClusterNode(HikariDataSource pool, PostgresCluster cluster) implements AutoCloseable {

    /**
     * Opens the pool and builds the cluster node (and its store, creating the tables if missing).
     *
     * @throws IllegalArgumentException if the URL is not PostgreSQL's
     */
    static ClusterNode open(String node, String url, String user, String password) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("--node needs --jdbc-url jdbc:postgresql://...: clustering needs PostgreSQL");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(16);
        config.setPoolName("parley-" + node);
        config.setConnectionTimeout(5_000);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            return new ClusterNode(pool, PostgresCluster.builder(pool).nodeName(node).build());
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
