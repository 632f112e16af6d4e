package dev.parley.chat.app;

import dev.parley.chat.server.ChatServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import picocli.CommandLine.Option;

/**
 * The secret behind anonymous users' resume tokens (PROTOCOL.md, "Identities"): from
 * {@code --resume-secret FILE}, else a {@value #FILE_NAME} file made in the data directory (mode 600)
 * when messages are kept there, else random for this process.
 */
final class IdentityOptions {
    static final String FILE_NAME = "resume-secret";

    @Option(names = "--resume-secret", paramLabel = "FILE", order = 95,
            description = "The key of anonymous users' resume tokens: the bytes of FILE (at least 16; keep it mode 600). "
                    + "Default: " + FILE_NAME + " in the --data directory, made on first start; with --memory or "
                    + "--jdbc-url a random key per run, so tokens do not survive a restart. Give every --node the same FILE.")
    Path resumeSecret;

    /** Sets the server's resume secret from the file, the data directory, or not at all (random). */
    void applyTo(ChatServer.Builder builder, StoreOptions store) {
        if (resumeSecret != null) {
            builder.resumeSecret(read(resumeSecret));
        } else if (store.memory || store.jdbcUrl != null) {
            return; // ChatServer's default: random per instance
        } else {
            builder.resumeSecret(readOrCreate(store.dataDir().resolve(FILE_NAME)));
        }
    }

    private static byte[] read(Path file) {
        try {
            byte[] secret = Files.readAllBytes(file);
            if (secret.length < 16) {
                throw new IllegalArgumentException("--resume-secret " + file + " has " + secret.length
                        + " bytes; it needs at least 16");
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --resume-secret " + file, e);
        }
    }

    /** Reads the secret file, making it (64 random hex digits, owner-only) if it is missing. */
    static byte[] readOrCreate(Path file) {
        if (Files.exists(file)) {
            return read(file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] secret = HexFormat.of().formatHex(random).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            Files.createDirectories(file.getParent());
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.write(file, secret, StandardOpenOption.TRUNCATE_EXISTING);
            return secret;
        } catch (FileAlreadyExistsException e) {
            return read(file); // made by another process meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }
}
