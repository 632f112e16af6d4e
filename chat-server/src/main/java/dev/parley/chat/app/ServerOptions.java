package dev.parley.chat.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The server's command line. Each concern is one class of {@code @Option} fields mixed in here:
 * {@link NetworkOptions}, {@link StoreOptions}, {@link LimitOptions}, {@link ClusterOptions},
 * {@link AccessOptions}, {@link IdentityOptions}.
 *
 * <p>To add an option, add an {@code @Option} field to the class of its concern (or a new class,
 * mixed in below with {@code @Mixin}), give it an {@code order} in that class's range, and apply it
 * where {@link ServerMain#start} builds the server. It then also works as a {@code --config} file key
 * and a {@code PARLEY_...} environment variable, and {@code --help} lists it. Add its row to the
 * README's option table: {@code ServerOptionsTest} checks that every option is there.
 */
@Command(name = "parley", mixinStandardHelpOptions = true, versionProvider = ServerOptions.Version.class,
        sortOptions = false, usageHelpAutoWidth = true, abbreviateSynopsis = true,
        description = {
            "Runs a Parley chat server: TCP on --port, the browser chat page, WebSocket and "
                    + NetworkOptions.HEALTH_PATH + " on --web-port, messages kept in H2 in ./parley-data "
                    + "unless told otherwise.",
            "",
            "Every option may also be set in the --config file (KEY = VALUE lines, KEY being the option's name "
                    + "without --, e.g. max-connections = 5000) or in an environment variable PARLEY_KEY "
                    + "(e.g. PARLEY_MAX_CONNECTIONS=5000). The command line wins over the environment, "
                    + "the environment over the file.",
            "",
            "Durations are written 250ms, 10s, 5m, 2h or 7d; sizes 16384, 16KiB or 1MiB.",
            ""},
        footer = {"", "Stop it with Ctrl-C or SIGTERM: clients are told BYE reason=shutdown and reconnect when it is back.",
            "'parley hash-password [NAME]' prints a line of the --users file (asks for the password, no echo)."})
final class ServerOptions {
    @Option(names = "--config", paramLabel = "FILE", order = 1,
            description = "Read settings from this properties file (see above).")
    Path config;

    @Mixin
    NetworkOptions network = new NetworkOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    LimitOptions limits = new LimitOptions();

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    AccessOptions access = new AccessOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    /** What the command line asked for. */
    sealed interface Parsed {
    }

    /** Run the server with these options. */
    record Run(ServerOptions options) implements Parsed {
    }

    /** Print this text and exit with this status (help, version, or a mistake with its usage). */
    record Exit(String text, int status) implements Parsed {
    }

    /** Parses the command line, the environment ({@code PARLEY_*}) and the {@code --config} file. */
    static Parsed parse(String[] args, Map<String, String> env) {
        ServerOptions options = new ServerOptions();
        CommandLine cmd = new CommandLine(options);
        try {
            cmd.setDefaultValueProvider(ConfigDefaults.load(configFile(args, env), env, cmd.getCommandSpec()));
            CommandLine.ParseResult result = cmd.parseArgs(args);
            if (result.isUsageHelpRequested()) {
                return new Exit(cmd.getUsageMessage(), 0);
            }
            if (result.isVersionHelpRequested()) {
                return new Exit(String.join(System.lineSeparator(), cmd.getCommandSpec().version()) + System.lineSeparator(), 0);
            }
            options.network.check();
            options.store.check();
            options.cluster.check(options.store);
            options.access.check();
            return new Run(options);
        } catch (ParameterException | IllegalArgumentException e) {
            return new Exit(e.getMessage() + System.lineSeparator() + "Try --help for the options." + System.lineSeparator(), 2);
        }
    }

    /** The help text, for tests and the README check. */
    static String usage() {
        return new CommandLine(new ServerOptions()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** Every long option name, for tests. */
    static List<String> optionNames() {
        return new CommandLine(new ServerOptions()).getCommandSpec().options().stream().map(o -> o.longestName()).toList();
    }

    /** --config FILE (or --config=FILE) from the command line, else PARLEY_CONFIG, else none. */
    private static Path configFile(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--config needs a FILE");
                }
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnv = env.get(ConfigDefaults.envName("--config"));
        return fromEnv == null ? null : Path.of(fromEnv);
    }

    /** The version of this build (from Maven) and of the Java it runs on. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Parley server " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = ServerOptions.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // unknown below
            }
            return p.getProperty("version", "(unknown version)");
        }
    }
}
