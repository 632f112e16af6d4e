package dev.parley.chat.app;

import dev.parley.chat.server.ChatServer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Who may connect and enter which room: the users file (docs/access.md). */
final class AccessOptions {
    @Option(names = "--users", paramLabel = "FILE", order = 90,
            description = "Only the users in FILE may connect, with their passwords (HELLO token=); a room named on a "
                    + "user's line is private to the users whose lines name it. Lines: NAME HASH [ROOM,ROOM...]; "
                    + "make a HASH with 'parley hash-password'. See docs/access.md.")
    Path users;

    private UsersFile file;

    /** Reads and checks the users file, if any. */
    void check() {
        if (users != null) {
            try {
                file = UsersFile.load(users);
            } catch (java.io.UncheckedIOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }

    /** The users file's authenticator and policy, if there is one. */
    void applyTo(ChatServer.Builder builder) {
        if (file != null) {
            builder.authenticator(file.authenticator()).accessPolicy(file.policy());
        }
    }
}
