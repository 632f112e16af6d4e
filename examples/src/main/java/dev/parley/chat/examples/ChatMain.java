package dev.parley.chat.examples;

import dev.parley.chat.app.ServerMain;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-command example chat: joins the server on this machine's port, and first starts one
 * (on the embedded H2 database in {@code ./parley-data}) when nobody is listening there yet.
 *
 * <pre>{@code mvn -q -pl examples -am compile -Drun=chat}</pre>
 *
 * <p>Run the same command in a second terminal to chat with the first one. The terminal that started
 * the server hosts it: quit that one last. For a server of its own, use {@link ServerMain} (the server jar); for a
 * client alone, {@link ClientMain}.
 */
public final class ChatMain {
    static final String USAGE = """
            usage: chat [--port PORT] [--data DIR] [--name NAME] [--room ROOM] [--state DIR]
              Joins the Parley server on localhost:PORT (default 7878), starting one first
              (history in an H2 database in DIR, default ./parley-data) when none is running.
              --name, --room and --state are the client's options (see ClientMain --help).
            """;

    private ChatMain() {
    }

    /** Runs the example chat on the process's terminal. */
    public static void main(String[] args) {
        // The server's join/leave log would garble the chat on the same terminal: warnings only.
        if (System.getProperty("parley.log.level") == null) {
            System.setProperty("parley.log.level", "WARN");
        }
        int status;
        try (Terminal term = Terminal.system(ClientOptions.DEFAULT_STATE.resolve("history"))) {
            status = run(args, term, System.out);
        }
        System.exit(status);
    }

    /** Starts a server when none listens on the port, then runs the client; returns the exit status. */
    static int run(String[] args, Terminal term, PrintStream out) {
        int port = 7878;
        Path data = Path.of("parley-data");
        List<String> clientArgs = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--port" -> port = Integer.parseInt(ClientOptions.value(args, ++i, a));
                    case "--data" -> data = Path.of(ClientOptions.value(args, ++i, a));
                    case "--name", "--room", "--state" -> {
                        clientArgs.add(a);
                        clientArgs.add(ClientOptions.value(args, ++i, a));
                    }
                    case "--help", "-h" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port must be 1 to 65535");
            }
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.print(USAGE);
            return 2;
        }

        ServerMain.Running hosted = null;
        if (!listening(port)) {
            try {
                hosted = ServerMain.start(new String[] {"--port", Integer.toString(port), "--data", data.toString()}, out);
                out.println("Started a chat server on port " + port + " with its history in "
                        + data.toAbsolutePath().normalize() + ".");
                out.println("Others join with the same command; this terminal hosts the server, so quit here last.");
            } catch (RuntimeException e) {
                // Someone else may have started one at the same moment: join it if so.
                if (!listening(port)) {
                    out.println("Cannot start a server on port " + port + ": " + e.getMessage());
                    return 1;
                }
            }
        }
        clientArgs.addAll(List.of("--host", "localhost", "--port", Integer.toString(port)));
        try {
            return ClientMain.run(clientArgs.toArray(String[]::new), term);
        } finally {
            if (hosted != null) {
                hosted.close();
            }
        }
    }

    /** Whether something accepts TCP connections on localhost:port. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
