/**
 * Several Parley servers as one chat through PostgreSQL: {@link dev.parley.chat.cluster.PostgresCluster}
 * plugs into {@code ChatServer.Builder.cluster(...)}; {@link dev.parley.chat.cluster.Doorbell} is the
 * seam for another way of telling nodes that something committed.
 */
package dev.parley.chat.cluster;
