package dev.parley.chat.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option values that do not come from the command line: an environment variable
 * {@code PARLEY_NAME} (the option's long name in upper case, {@code -} as {@code _}), else the
 * {@code --config} file, a properties file whose keys are the options' long names without
 * {@code --} ({@code max-connections = 5000}). A key the server does not know is an error: a typo
 * must not be silently ignored.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    private final Properties file;
    private final Map<String, String> env;

    private ConfigDefaults(Properties file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /**
     * Reads {@code config} (may be null) and checks its keys against {@code spec}'s options.
     *
     * @throws IllegalArgumentException if the file cannot be read or names an unknown option
     */
    static ConfigDefaults load(Path config, Map<String, String> env, CommandSpec spec) {
        Properties props = new Properties();
        if (config != null) {
            try (Reader in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the config file " + config + ": " + e);
            }
            TreeSet<String> unknown = new TreeSet<>();
            for (String key : props.stringPropertyNames()) {
                OptionSpec option = spec.findOption("--" + key);
                if (option == null || option.usageHelp() || option.versionHelp() || key.equals("config")) {
                    unknown.add(key);
                }
            }
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(config + ": unknown setting" + (unknown.size() > 1 ? "s " : " ")
                        + String.join(", ", unknown) + " (the keys are the option names of --help without --)");
            }
        }
        return new ConfigDefaults(props, env);
    }

    /** The environment variable that sets an option, e.g. {@code PARLEY_MAX_CONNECTIONS}. */
    static String envName(String longOption) {
        return "PARLEY_" + longOption.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String name = option.longestName();
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.getProperty(name.replaceFirst("^--", ""));
        return fromFile == null ? null : fromFile.strip();
    }
}
