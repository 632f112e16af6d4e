/**
 * Parley clustering through PostgreSQL: {@code PostgresCluster} implements chat-core's cluster SPI
 * with the JDBC store as the shared log and sequencer, cluster tables for nodes, names and presence,
 * and LISTEN/NOTIFY as the doorbell. The implementation ({@code dev.parley.chat.cluster.internal}) is
 * not exported. The PostgreSQL driver is the user's to bring.
 */
module dev.parley.chat.cluster {
    requires transitive dev.parley.chat.core;
    requires transitive dev.parley.chat.store.jdbc;
    requires org.slf4j;
    requires org.postgresql.jdbc;

    exports dev.parley.chat.cluster;
}
