package dev.parley.chat.examples;

import java.nio.file.Path;

/** The terminal client's command line (see {@link ClientMain#USAGE}). */
final class ClientOptions {
    String host = "localhost";
    int port = 7878;
    String name;
    /** For a server that checks passwords (HELLO token=); asked for when the server wants one. */
    String password;
    String room = "lobby";
    /** Where the client keeps what it remembers: ~/.parley. */
    static final Path DEFAULT_STATE = Path.of(System.getProperty("user.home"), ".parley");
    Path stateDir = DEFAULT_STATE;
    boolean help;

    static ClientOptions parse(String[] args) {
        ClientOptions o = new ClientOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> o.help = true;
                case "--host" -> o.host = value(args, ++i, a);
                case "--port" -> o.port = port(value(args, ++i, a));
                case "--name" -> o.name = value(args, ++i, a);
                case "--password" -> o.password = value(args, ++i, a);
                case "--room" -> o.room = value(args, ++i, a);
                case "--state" -> o.stateDir = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("Unknown option: " + a);
            }
        }
        return o;
    }

    static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static int port(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--port must be a number from 1 to 65535, was " + s);
    }
}
