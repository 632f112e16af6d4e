package dev.parley.chat.it;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import java.io.IOException;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The server that {@link CrashTest} runs in a child JVM and kills with SIGKILL: a {@link ChatServer} on
 * 127.0.0.1, an ephemeral port, and a {@link JdbcMessageStore} on the database given.
 *
 * <pre>java dev.parley.chat.it.CrashServerMain JDBC_URL TABLE_PREFIX [USER]</pre>
 *
 * Prints {@code listening on 127.0.0.1:PORT} once it serves. It exits by itself when its standard input
 * ends (the test JVM went away), so no child outlives its test.
 */
public final class CrashServerMain {
    private CrashServerMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CrashServerMain JDBC_URL TABLE_PREFIX [USER]");
            System.exit(2);
        }
        DataSource ds = dataSource(args[0], args.length > 2 ? args[2] : null);
        JdbcMessageStore store = JdbcMessageStore.builder(ds).tablePrefix(args[1]).build();
        ChatServer server = ChatServer.builder()
                .listen(TcpTransport.builder().host("127.0.0.1").port(0).build())
                .store(store)
                .rateLimit(100_000, 100_000)
                .build()
                .start();
        System.out.println("listening on 127.0.0.1:" + server.port());
        System.out.flush();
        // Serve until killed, or until the parent closes our stdin.
        while (System.in.read() >= 0) {
            // ignore input
        }
        server.close();
        store.close();
        System.exit(0);
    }

    static DataSource dataSource(String url, String user) {
        if (url.startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            return h2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(url);
            if (user != null) {
                pg.setUser(user);
            }
            pg.setConnectTimeout(5);
            return pg;
        }
        throw new IllegalArgumentException("unsupported JDBC URL: " + url);
    }
}
