package dev.parley.chat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, the environment and the config file, and that --help and the README list every option. */
class ServerOptionsTest {
    @TempDir
    Path dir;

    private static ServerOptions run(ServerOptions.Parsed parsed) {
        if (parsed instanceof ServerOptions.Exit exit) {
            throw new AssertionError("status " + exit.status() + ": " + exit.text());
        }
        return ((ServerOptions.Run) parsed).options();
    }

    private static ServerOptions.Exit exit(ServerOptions.Parsed parsed) {
        return assertInstanceOf(ServerOptions.Exit.class, parsed);
    }

    @Test
    void noArgumentMeansPort7878WebPort7879AndH2InParleyData() {
        ServerOptions o = run(ServerOptions.parse(new String[0], Map.of()));
        assertEquals(7878, o.network.port);
        assertEquals(7879, o.network.webPort());
        assertEquals(Path.of("parley-data").toAbsolutePath(), o.store.dataDir());
        assertNull(o.limits.maxConnections, "unset limits keep ChatServer's defaults");
    }

    @Test
    void helpListsEveryOptionAndTheReadmeTableToo() throws Exception {
        String help = ServerOptions.usage();
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> names = ServerOptions.optionNames();
        assertTrue(names.size() > 50, names.toString());
        for (String name : names) {
            assertTrue(help.contains(name), "--help does not list " + name + ":\n" + help);
            assertTrue(readme.contains("`" + name), "the README's server options do not list " + name);
        }
        ServerOptions.Exit exit = exit(ServerOptions.parse(new String[] {"--help"}, Map.of()));
        assertEquals(0, exit.status());
        assertTrue(exit.text().contains("--max-connections=N"), exit.text());
    }

    @Test
    void versionSaysParleyAndJava() {
        ServerOptions.Exit exit = exit(ServerOptions.parse(new String[] {"--version"}, Map.of()));
        assertEquals(0, exit.status());
        assertTrue(exit.text().matches("(?s)Parley server \\d+\\.\\d+\\.\\d+.*\nJava \\d+.*"), exit.text());
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile() throws Exception {
        Path config = dir.resolve("parley.properties");
        Files.writeString(config, "port = 9000\nmax-connections = 10\nping-interval = 2m\nno-web = true\n");
        Map<String, String> env = Map.of("PARLEY_MAX_CONNECTIONS", "20", "PARLEY_PING_TIMEOUT", "500ms", "PARLEY_TEST", "1");
        ServerOptions o = run(ServerOptions.parse(new String[] {"--config", config.toString(), "--port", "9100"}, env));
        assertEquals(9100, o.network.port);
        assertEquals(20, o.limits.maxConnections);
        assertEquals(Duration.ofMinutes(2), o.limits.pingInterval);
        assertEquals(Duration.ofMillis(500), o.limits.pingTimeout);
        assertTrue(o.network.noWeb);

        ServerOptions fromEnv = run(ServerOptions.parse(new String[0], Map.of("PARLEY_CONFIG", config.toString())));
        assertEquals(9000, fromEnv.network.port);
    }

    @Test
    void aTypoInTheConfigFileIsAnErrorNotIgnored() throws Exception {
        Path config = dir.resolve("typo.properties");
        Files.writeString(config, "max-conections = 10\nport = 1\n");
        ServerOptions.Exit exit = exit(ServerOptions.parse(new String[] {"--config", config.toString()}, Map.of()));
        assertEquals(2, exit.status());
        assertTrue(exit.text().contains("unknown setting max-conections"), exit.text());

        ServerOptions.Exit missing = exit(ServerOptions.parse(new String[] {"--config", dir.resolve("none").toString()}, Map.of()));
        assertTrue(missing.text().contains("cannot read the config file"), missing.text());
    }

    @Test
    void durationsAndSizesAreWrittenAsPeopleWriteThem() {
        ServerOptions o = run(ServerOptions.parse(new String[] {"--write-timeout", "250ms", "--drain-timeout", "PT3S",
                "--retention-age", "30d", "--outbound-queue-bytes", "2MiB", "--max-text-length", "8KiB"}, Map.of()));
        assertEquals(Duration.ofMillis(250), o.limits.writeTimeout);
        assertEquals(Duration.ofSeconds(3), o.limits.drainTimeout);
        assertEquals(Duration.ofDays(30), o.store.retentionAge);
        assertEquals(2L << 20, o.limits.outboundQueueBytes);
        assertEquals(8192L, o.limits.maxTextLength);
        assertTrue(exit(ServerOptions.parse(new String[] {"--write-timeout", "soon"}, Map.of())).text().contains("is not a duration"));
    }

    @Test
    void contradictionsAreMistakes() {
        for (String[] args : List.of(new String[] {"--memory", "--data", "x"}, new String[] {"--no-web", "--web-port", "1"},
                new String[] {"--port", "65535"}, new String[] {"--port", "70000"}, new String[] {"--port"},
                new String[] {"--bogus"}, new String[] {"--tls-keystore-password", "x"},
                new String[] {"--memory", "--table-prefix", "x"})) {
            ServerOptions.Exit exit = exit(ServerOptions.parse(args, Map.of()));
            assertEquals(2, exit.status(), String.join(" ", args));
            assertTrue(exit.text().contains("--help"), exit.text());
        }
    }
}
