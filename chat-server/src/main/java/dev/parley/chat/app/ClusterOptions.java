package dev.parley.chat.app;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Being one node of a cluster of servers on one PostgreSQL database (docs/cluster.md). */
final class ClusterOptions {
    @Option(names = "--node", paramLabel = "ID", order = 80,
            description = "Be node ID of a cluster: every server started with --node on the same PostgreSQL --jdbc-url "
                    + "(and schema, currentSchema=) serves one chat. IDs are unique among the running nodes.")
    String node;

    @Option(names = "--lease", paramLabel = "DURATION", order = 81, converter = Converters.DurationConverter.class,
            description = "With --node: how long a node may go without renewing its lease before the others end its "
                    + "users' sessions, and it fences itself (default 10s).")
    Duration lease;

    void check(StoreOptions store) {
        if (node == null) {
            if (lease != null) {
                throw new IllegalArgumentException("--lease needs --node");
            }
            return;
        }
        if (store.jdbcUrl == null || !store.jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("--node needs --jdbc-url jdbc:postgresql://...: clustering needs PostgreSQL");
        }
    }

    /** The cluster node (and its store) if --node was given, else {@code null}; the caller closes it. */
    ClusterNode open(StoreOptions store) {
        return node == null ? null : ClusterNode.open(node, lease, store);
    }
}
