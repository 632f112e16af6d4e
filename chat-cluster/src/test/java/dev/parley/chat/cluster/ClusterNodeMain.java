package dev.parley.chat.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.ChatServer;
import java.io.IOException;
import java.time.Duration;

/**
 * One cluster node in a process of its own, for {@link NodeProcess}: a ChatServer on a free port,
 * clustered through PostgreSQL. Prints {@code listening on PORT} once ready; stops when its standard
 * input closes (so a node never outlives the test that started it), or when it is killed.
 *
 * <pre>ClusterNodeMain JDBC_URL NODE_NAME LEASE_MILLIS</pre>
 */
public final class ClusterNodeMain {
    private ClusterNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setUsername("postgres");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(2);
        config.setPoolName("node-" + args[1]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
        HikariDataSource pool = new HikariDataSource(config);
        PostgresCluster cluster = PostgresCluster.builder(pool).nodeName(args[1]).lease(lease)
                .reapInterval(Duration.ofMillis(250)).safetyPollInterval(Duration.ofSeconds(1)).build();
        ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(cluster.store()).cluster(cluster)
                .build().start();
        System.out.println("listening on " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our stdin
        }
        server.close();
        cluster.close();
        pool.close();
    }
}
