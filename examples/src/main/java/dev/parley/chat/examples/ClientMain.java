package dev.parley.chat.examples;

import dev.parley.chat.client.ChatClient;
import dev.parley.chat.client.ChatClientException;
import dev.parley.chat.client.ChatListener;
import dev.parley.chat.client.ChatMessage;
import dev.parley.chat.client.ChatSession;
import dev.parley.chat.client.History;
import dev.parley.chat.client.Joined;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.ProtocolException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The interactive terminal client.
 *
 * <pre>
 * ClientMain [--host HOST] [--port PORT] [--name NAME] [--password PASS] [--room ROOM] [--state DIR]
 * </pre>
 *
 * Asks for a name when none is given (and again when it is taken), joins {@code lobby}, shows the
 * recent conversation, then live messages. Remembers the last message seen per room in a small file
 * under {@code ~/.parley/}, so that the next start shows what was missed. Commands: see {@link #HELP}.
 */
public final class ClientMain {
    static final String USAGE = """
            Usage: ClientMain [--host HOST] [--port PORT] [--name NAME] [--password PASS] [--room ROOM] [--state DIR]

              --host HOST   the server (default localhost)
              --port PORT   its port (default 7878)
              --name NAME   your name; asked for when missing
              --password PASS  for a server with a users file; asked for (not echoed) when it wants one
              --room ROOM   the room to join first (default lobby)
              --state DIR   where to remember the last message seen per room (default ~/.parley)
              --help        this text
            """;

    static final String HELP = """
            Type a line and press Enter to send it to the current room. Commands:
              /join ROOM        join a room (it becomes the current room)
              /leave            leave the current room
              /who              who is in the current room
              /rooms            the rooms of the server
              /msg NAME TEXT    a private message to NAME
              /history [N]      the last N messages of the current room (default 20)
              /quit             leave the chat (Ctrl-D too)
              /help             this text""";

    /** Earlier messages shown again, for context, when coming back to a room. */
    private static final int CONTEXT = 5;
    /** How long a line typed while the server is away is kept for resending, and any request waits. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("d MMM HH:mm");

    private final Terminal term;
    private final String host;
    private final int port;
    private final String firstRoom;
    private final Path stateDir;
    private final ZoneId zone = ZoneId.systemDefault();

    private final Style style;
    /** Names and rooms seen so far: what Tab completes. */
    private final Set<String> knownNames = ConcurrentHashMap.newKeySet();
    private final Set<String> knownRooms = ConcurrentHashMap.newKeySet();
    /** Between a lost connection and the reconnection: lines typed now wait for the server. */
    private volatile boolean offline;

    private String name;
    private String password;
    private SeenState seen;
    /** Where this name's resume token is kept; set before each connection attempt. */
    private volatile ResumeTokenFile resumeFile;
    private volatile ChatSession session;
    private volatile String current;
    private volatile boolean quitting;
    /** Per room being caught up: the seq after which messages are new to the user. */
    private final Map<String, Long> newAfter = new ConcurrentHashMap<>();

    private ClientMain(Terminal term, ClientOptions o) {
        this.term = term;
        this.host = o.host;
        this.port = o.port;
        this.name = o.name;
        this.password = o.password;
        this.firstRoom = o.room;
        this.stateDir = o.stateDir;
        this.style = new Style(term.colours());
    }

    /** Runs the client on the process's terminal (or stdin/stdout when they are not a terminal). */
    public static void main(String[] args) {
        int status;
        try (Terminal term = Terminal.system(ClientOptions.DEFAULT_STATE.resolve("history"))) {
            status = run(args, term);
        }
        System.exit(status);
    }

    /** Runs the client on {@code term}; returns the exit status. */
    static int run(String[] args, Terminal term) {
        ClientOptions o;
        try {
            o = ClientOptions.parse(args);
        } catch (IllegalArgumentException e) {
            term.println(e.getMessage());
            term.println(USAGE);
            return 2;
        }
        if (o.help) {
            term.println(USAGE);
            return 0;
        }
        try {
            return new ClientMain(term, o).run();
        } catch (IOException e) {
            term.println("! " + e.getMessage());
            return 1;
        }
    }

    private int run() throws IOException {
        if (!connect()) {
            return quitting ? 0 : 1;
        }
        seen = SeenState.load(stateDir, host, port, name);
        notice("Connected to " + host + ":" + port + " as " + name + ". Type /help for commands, Tab completes.");
        knownNames.add(name);
        term.completion(this::candidates);
        join(firstRoom);
        while (true) {
            String line = term.readLine(prompt(), false);
            if (line == null || session.state() == ChatSession.State.CLOSED) {
                break;
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("/")) {
                if (!command(line)) {
                    break;
                }
            } else {
                say(line);
            }
        }
        quitting = true;
        session.close();
        term.println("Bye.");
        return 0;
    }

    private String prompt() {
        String room = current;
        return (offline ? style.warning("(offline) ") : "") + (room == null ? "" : room) + "> ";
    }

    private void notice(String line) {
        term.println(style.notice(line));
    }

    private void error(String line) {
        term.println(style.error(line));
    }

    /** The commands of {@link #HELP}, for Tab. */
    static final List<String> COMMANDS = List.of("/join", "/leave", "/who", "/rooms", "/msg", "/history", "/quit", "/help");

    /** What Tab offers for the word after {@code before}: commands first, rooms after /join, names elsewhere. */
    List<String> candidates(List<String> before) {
        List<String> out = new ArrayList<>();
        if (before.isEmpty()) {
            out.addAll(COMMANDS);
            out.addAll(sorted(knownNames));
            return out;
        }
        String cmd = before.get(0).toLowerCase(Locale.ROOT);
        if (before.size() == 1 && (cmd.equals("/join") || cmd.equals("/who") || cmd.equals("/leave"))) {
            Set<String> rooms = new java.util.TreeSet<>(knownRooms);
            if (session != null) {
                rooms.addAll(session.joinedRooms());
            }
            out.addAll(rooms);
        } else if (!cmd.equals("/history")) {
            out.addAll(sorted(knownNames));
        }
        return out;
    }

    private static List<String> sorted(Set<String> set) {
        return set.stream().sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }

    /** Registers, asking for a name until one is accepted. False if the user gave up or the server is unreachable. */
    private boolean connect() throws IOException {
        int passwordTries = 0;
        while (true) {
            if (name == null) {
                String answer = term.readLine("Your name: ", true);
                if (answer == null) {
                    quitting = true;
                    return false;
                }
                name = answer.strip();
                if (name.isEmpty()) {
                    name = null;
                    continue;
                }
            }
            try {
                resumeFile = ResumeTokenFile.of(stateDir, host, port, name);
                session = ChatClient.builder()
                        .address(host, port)
                        .name(name)
                        .token(password)
                        .resumeToken(resumeFile.read()) // come back as the same identity, with its direct messages
                        .listener(new Screen())
                        // a person waits for the server to come back: retry sooner than the default 30 s cap
                        .reconnectDelay(Duration.ofMillis(250), Duration.ofSeconds(5))
                        .requestTimeout(REQUEST_TIMEOUT)
                        .build()
                        .connect();
                name = session.name();
                return true;
            } catch (IllegalArgumentException e) {
                if (password != null && e.getMessage().startsWith("token")) {
                    error("! A password may not contain spaces or control characters.");
                    password = null;
                    continue;
                }
                error("! That name cannot be used: names have 1 to 32 letters, digits, '_', '-' or '.', and no spaces.");
            } catch (ProtocolException e) {
                if (e.code() == ErrorCode.NAME_TAKEN) {
                    error("! The name " + name + " is taken. Choose another one.");
                } else if (e.code() == ErrorCode.INVALID_NAME) {
                    error("! That name cannot be used: " + e.getMessage());
                } else if (e.code() == ErrorCode.AUTH_FAILED && passwordTries++ < 3) {
                    if (password != null) {
                        error("! The server refused: " + e.getMessage());
                    }
                    password = term.readSecret("Password for " + name + ": ");
                    if (password == null) {
                        quitting = true;
                        return false;
                    }
                    continue; // the same name, with the password
                } else {
                    error("! The server refused: " + e.getMessage() + " (" + e.code() + ")");
                    return false;
                }
            } catch (ChatClientException e) {
                error("! " + e.getMessage());
                term.println("  Is the server running? Start one with bin/parley, or: mvn -q -pl examples -am compile -Drun=server");
                return false;
            }
            name = null;
        }
    }

    // ------------------------------------------------------------------ commands

    /** Runs a command; false to quit. */
    private boolean command(String line) {
        String[] words = line.split("\\s+", 3);
        String cmd = words[0].toLowerCase(java.util.Locale.ROOT);
        switch (cmd) {
            case "/quit", "/exit" -> {
                return false;
            }
            case "/help" -> term.println(HELP);
            case "/join" -> {
                if (words.length < 2) {
                    error("! Usage: /join ROOM");
                } else {
                    join(words[1]);
                }
            }
            case "/leave", "/part" -> leave(words.length > 1 ? words[1] : current);
            case "/who" -> who(words.length > 1 ? words[1] : current);
            case "/rooms" -> session.rooms().whenComplete((rooms, e) -> {
                if (e != null) {
                    failed("/rooms", e);
                    return;
                }
                notice("* Rooms: " + String.join(", ", rooms.stream()
                        .map(r -> r.name() + " (" + r.members() + ")").toList()));
            });
            case "/msg" -> {
                if (words.length < 3) {
                    error("! Usage: /msg NAME TEXT");
                } else {
                    String to = words[1];
                    String text = words[2];
                    session.sendDirect(to, text).whenComplete((ack, e) -> {
                        if (e != null) {
                            failed("message to " + to, e);
                        } else {
                            term.println(style.dim(time(ack.time())) + " -> " + style.name(clean(to), false) + ": " + clean(text));
                        }
                    });
                }
            }
            case "/history" -> history(words);
            default -> error("! Unknown command " + clean(words[0]) + ". Type /help for the list.");
        }
        return true;
    }

    private void say(String text) {
        String room = current;
        if (room == null) {
            error("! You are in no room. Type /join ROOM first.");
            return;
        }
        if (offline || session.state() != ChatSession.State.OPEN) {
            term.println(style.warning("! not connected: your message will be sent when the server is back"
                    + " (if within " + REQUEST_TIMEOUT.toSeconds() + " s)") + " " + style.dim("(" + clean(text) + ")"));
        }
        session.send(room, text).whenComplete((ack, e) -> {
            if (e != null) {
                if (unwrap(e) instanceof TimeoutException) {
                    // the session gave it up: say which line, so that it can be typed again
                    error("! message not sent: no answer within " + REQUEST_TIMEOUT.toSeconds()
                            + " s, it will not be resent (" + clean(text) + ")");
                } else {
                    failed("message", e);
                }
                return;
            }
            session.lastSeq(room).ifPresent(seq -> seen.put(room, seq));
            term.println(prefix(room) + style.dim(time(ack.time())) + " " + style.name(name, true) + ": " + clean(text));
        });
    }

    private void join(String room) {
        String key = room.toLowerCase(java.util.Locale.ROOT);
        long last = seen.lastSeq(key);
        CompletableFuture<Joined> joining;
        if (last >= 0) {
            newAfter.put(key, last);
            joining = session.join(key, Math.max(0, last - CONTEXT));
        } else {
            newAfter.remove(key);
            joining = session.join(key);
        }
        // Runs on the event thread, before the replayed messages are shown.
        CompletableFuture<Void> shown = joining.thenAccept(j -> {
            current = j.room();
            knownRooms.add(j.room());
            term.prompt(prompt());
            if (last >= 0 && j.head() < last) {
                notice("* " + j.room() + " has fewer messages than when you left: the server forgot them.");
                newAfter.remove(j.room());
                seen.put(j.room(), j.head());
            }
            term.println(last < 0 ? "* You joined " + j.room() + "." : "* Welcome back to " + j.room() + ".");
        });
        try {
            shown.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failed("/join " + room, e.getCause());
            return;
        } catch (TimeoutException e) {
            error("! No answer to /join " + clean(room) + ".");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // WHO is answered after the replay: a good moment to say who is here and whether anything was new.
        session.who(key).whenComplete((names, e) -> {
            Long after = newAfter.remove(key);
            if (after != null && session.lastSeq(key).orElse(after) <= after) {
                term.println("--- nothing new since you left ---");
            }
            if (e == null) {
                knownNames.addAll(names);
                notice("* In " + key + ": " + String.join(", ", names.stream().map(ClientMain::clean).toList()));
            }
        });
    }

    private void leave(String room) {
        if (room == null) {
            error("! You are in no room.");
            return;
        }
        session.part(room).whenComplete((v, e) -> {
            if (e != null) {
                failed("/leave", e);
                return;
            }
            Set<String> rooms = session.joinedRooms();
            current = rooms.isEmpty() ? null : rooms.iterator().next();
            term.prompt(prompt());
            notice("* You left " + room + "." + (current == null ? " Type /join ROOM to join one." : " Now in " + current + "."));
        });
    }

    private void who(String room) {
        if (room == null) {
            error("! You are in no room.");
            return;
        }
        session.who(room).whenComplete((names, e) -> {
            if (e != null) {
                failed("/who", e);
            } else {
                knownNames.addAll(names);
                notice("* In " + room + ": " + String.join(", ", names.stream().map(ClientMain::clean).toList()));
            }
        });
    }

    private void history(String[] words) {
        String room = current;
        if (room == null) {
            error("! You are in no room.");
            return;
        }
        int n = 20;
        if (words.length > 1) {
            try {
                n = Integer.parseInt(words[1]);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1) {
                error("! Usage: /history [N], N a number from 1");
                return;
            }
        }
        int limit = n;
        session.history(room, History.latest().limit(limit)).whenComplete((msgs, e) -> {
            if (e != null) {
                failed("/history", e);
                return;
            }
            term.println("--- the last " + msgs.size() + " messages of " + room + " ---");
            for (ChatMessage m : msgs) {
                term.println(format(m));
            }
            term.println("--- end of history ---");
        });
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private void failed(String what, Throwable e) {
        e = unwrap(e);
        if (e instanceof ProtocolException pe) {
            error("! " + what + " failed: " + clean(pe.getMessage()) + " (" + pe.code() + ")");
        } else if (e instanceof TimeoutException) {
            error("! " + what + " got no answer in time.");
        } else {
            error("! " + what + " failed: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ what the server tells

    /** The listener: prints what happens. Runs on the session's event thread. */
    private final class Screen implements ChatListener {
        @Override
        public void onMessage(ChatMessage m) {
            Long after = newAfter.get(m.room());
            if (after != null && m.seq() > after) {
                newAfter.remove(m.room());
                term.println("--- new since you left ---");
            }
            term.println(format(m));
            session.lastSeq(m.room()).ifPresent(seq -> seen.put(m.room(), seq));
        }

        @Override
        public void onDirectMessage(ChatMessage m) {
            if (m.from().equalsIgnoreCase(name)) {
                term.println(style.dim(time(m.time())) + " -> " + style.name(clean(m.with()), false) + ": " + clean(m.text()));
            } else {
                knownNames.add(m.from());
                term.println(style.dim(time(m.time())) + " *" + style.name(clean(m.from()), false) + "* (private): " + clean(m.text()));
            }
        }

        @Override
        public void onJoined(String room, String who) {
            knownNames.add(who);
            term.println(prefix(room) + style.presence("* " + clean(who) + " has joined"));
        }

        @Override
        public void onLeft(String room, String who, String reason) {
            if (who.equalsIgnoreCase(name)) {
                notice("* You were removed from " + room + " (" + reason + ")");
                if (room.equals(current)) {
                    current = null;
                    term.prompt(prompt());
                }
            } else {
                term.println(prefix(room) + style.presence("* " + clean(who) + " has left"
                        + ("part".equals(reason) || "quit".equals(reason) ? "" : " (" + reason + ")")));
            }
        }

        @Override
        public void onGap(String room, long from, long to, String reason) {
            term.println(prefix(room) + "* (" + (to - from + 1) + " older messages not shown; /history reads them)");
        }

        @Override
        public void onDisconnected(String reason) {
            if (!quitting) {
                offline = true;
                term.println(style.warning("* Connection lost (" + reason + "). Reconnecting... "
                        + "What you type now is sent when the server is back."));
                term.prompt(prompt());
            }
        }

        @Override
        public void onResumeToken(String token) {
            try {
                resumeFile.write(token);
            } catch (java.io.UncheckedIOException e) {
                error("! Cannot keep the resume token: " + e.getMessage());
            }
        }

        @Override
        public void onReconnected() {
            offline = false;
            term.prompt(prompt());
            notice("* Reconnected.");
        }

        @Override
        public void onStateChanged(ChatSession.State from, ChatSession.State to) {
            if (to == ChatSession.State.CLOSED && !quitting) {
                notice("* The session has ended. Press Enter to exit.");
            }
        }

        @Override
        public void onError(ProtocolException error) {
            if (error.code().closesConnection()) {
                return; // onDisconnected says it, with the reason
            }
            error("! Server: " + clean(error.getMessage()) + " (" + error.code() + ")");
        }
    }

    private String prefix(String room) {
        return room.equals(current) ? "" : "[" + room + "] ";
    }

    private String format(ChatMessage m) {
        String text = clean(m.text()).replace("\n", "\n      ");
        return prefix(m.room()) + style.dim(time(m.time())) + " " + style.name(clean(m.from()), m.from().equalsIgnoreCase(name)) + ": " + text;
    }

    private String time(Instant t) {
        var local = t.atZone(zone);
        return local.toLocalDate().equals(LocalDate.now(zone)) ? TIME.format(local) : DAY_TIME.format(local);
    }

    /**
     * What others typed, made safe for a terminal: control characters (ESC would let a sender move the
     * cursor or change colours) and bidi controls are shown as {@code \}{@code uXXXX}; line breaks stay.
     */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                out.append('\n');
            } else if (c == '\t') {
                out.append("    ");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
                    || dev.parley.chat.protocol.Escaping.isBidiOrSeparator(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
