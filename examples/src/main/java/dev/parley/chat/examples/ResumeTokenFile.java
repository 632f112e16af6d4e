package dev.parley.chat.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Where the terminal client keeps an anonymous user's resume token between runs, so that it comes
 * back as the same identity with its direct messages: {@code ~/.parley/NAME@HOST_PORT.resume}, owner
 * read/write only (mode 600: the token is a secret). Written to a temporary file made with that mode,
 * then renamed.
 */
final class ResumeTokenFile {
    private final Path file;

    private ResumeTokenFile(Path file) {
        this.file = file;
    }

    /** The token file of {@code name} on {@code host:port} under {@code dir}. */
    static ResumeTokenFile of(Path dir, String host, int port, String name) {
        return new ResumeTokenFile(dir.resolve(name.toLowerCase(Locale.ROOT) + "@"
                + host.replaceAll("[^A-Za-z0-9.-]", "_") + "_" + port + ".resume"));
    }

    Path path() {
        return file;
    }

    /** The token kept, or {@code null} if none (or the file cannot be read). */
    String read() {
        try {
            String token = Files.exists(file) ? Files.readString(file, StandardCharsets.US_ASCII).strip() : "";
            return token.isEmpty() || token.chars().anyMatch(ch -> ch <= ' ') ? null : token;
        } catch (IOException e) {
            return null;
        }
    }

    /** Keeps a token (replacing the one kept). */
    void write(String token) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, token + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
