package dev.parley.chat.app;

import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.server.AccessPolicy;
import dev.parley.chat.server.Authenticator;
import dev.parley.chat.server.Identity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server program's {@code --users FILE} (docs/access.md): who may connect, with which password,
 * and which rooms are whose. One user per line, {@code NAME HASH [ROOM,ROOM...]}, fields separated by
 * spaces or tabs; {@code #} starts a comment line; blank lines are skipped. HASH is a
 * {@link PasswordHash} ({@code parley hash-password} prints one).
 *
 * <p>The rules: only the listed names may connect, each with its password sent as
 * {@code HELLO token=} ({@link #authenticator()}). A room named on any line is <em>claimed</em>: only
 * the users whose line names it may join it, read its history, post in it, ask WHO is in it or see
 * it in ROOMS. Every other room is public to every listed user ({@link #policy()}). Names and rooms
 * compare in their canonical forms (case-insensitive). Read once at start; immutable.
 */
final class UsersFile {
    /** One line. */
    record User(String name, PasswordHash hash, Set<String> rooms) {
    }

    private final Map<String, User> byCanonical;
    private final Set<String> claimed;
    /** Checked when the name is unknown, so a refusal takes as long either way. */
    private final PasswordHash decoy;

    private UsersFile(Map<String, User> byCanonical, Set<String> claimed, PasswordHash decoy) {
        this.byCanonical = byCanonical;
        this.claimed = claimed;
        this.decoy = decoy;
    }

    /**
     * Reads and checks the file.
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong
     */
    static UsersFile load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --users " + file + ": " + e.getMessage(), e);
        }
        return parse(lines, file.toString());
    }

    static UsersFile parse(List<String> lines, String source) {
        Map<String, User> users = new HashMap<>();
        Set<String> claimed = new HashSet<>();
        int iterations = PasswordHash.MIN_ITERATIONS;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            String[] f = line.split("[ \\t]+");
            if (f.length < 2 || f.length > 3) {
                throw new IllegalArgumentException(where + "expected NAME HASH [ROOM,ROOM...]");
            }
            String canonical;
            try {
                canonical = Names.canonicalUser(f[0]);
            } catch (ProtocolException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
            Set<String> rooms = new LinkedHashSet<>();
            if (f.length == 3) {
                for (String room : f[2].split(",", -1)) {
                    if (!Names.isValidRoom(room)) {
                        throw new IllegalArgumentException(where + "bad room name '" + room
                                + "' (1 to 64 ASCII letters, digits, '-', '_' or '.', separated by commas)");
                    }
                    rooms.add(Names.canonicalRoom(room));
                }
            }
            if (users.putIfAbsent(canonical, new User(f[0], hash, Set.copyOf(rooms))) != null) {
                throw new IllegalArgumentException(where + "the name " + f[0] + " is listed twice");
            }
            claimed.addAll(rooms);
            iterations = Math.max(iterations, hash.iterations());
        }
        // The decoy costs what the dearest real hash costs; a file whose lines use one iteration
        // count (hash-password's default) then answers an unknown name as slowly as a known one.
        PasswordHash decoy = PasswordHash.create("decoy".toCharArray(), iterations, new SecureRandom());
        return new UsersFile(Map.copyOf(users), Set.copyOf(claimed), decoy);
    }

    int size() {
        return byCanonical.size();
    }

    /** The rooms some line names: private to those lines' users. */
    Set<String> claimedRooms() {
        return claimed;
    }

    /**
     * Accepts a listed name with its password in {@code token=} as that user's identity (the name as
     * the file writes it); refuses everything else with one text, after the same work.
     */
    Authenticator authenticator() {
        return request -> {
            String password = request.token();
            if (password == null) {
                return Authenticator.Result.reject("this server needs a password (HELLO token=)");
            }
            User u = byCanonical.get(Names.canonicalUser(request.name()));
            boolean ok = (u != null ? u.hash() : decoy).matches(password.toCharArray());
            return ok && u != null ? Authenticator.Result.identity(u.name())
                    : Authenticator.Result.reject("wrong name or password");
        };
    }

    /** Claimed rooms for their users only; every other room for everybody. Fast: in-memory lookups. */
    AccessPolicy policy() {
        return new AccessPolicy() {
            @Override
            public boolean allows(Identity who, Action action, String room) {
                if (!claimed.contains(room)) {
                    return true;
                }
                User u = byCanonical.get(Names.canonicalUser(who.name()));
                return u != null && u.rooms().contains(room);
            }

            @Override
            public String toString() {
                return "users file: " + claimed.size() + " claimed rooms";
            }
        };
    }
}
