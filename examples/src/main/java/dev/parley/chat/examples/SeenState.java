package dev.parley.chat.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the terminal client remembers between runs: the last seq it showed in each room, one small
 * properties file per server and name (e.g. {@code ~/.parley/souvik@localhost_7878.properties}).
 * Written after every change (write to a temporary file, then rename), so a crash loses nothing.
 */
final class SeenState {
    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final Properties seen = new Properties();

    private SeenState(Path file) {
        this.file = file;
    }

    /** Loads (or starts) the state of {@code name} on {@code host:port} under {@code dir}. */
    static SeenState load(Path dir, String host, int port, String name) {
        String fileName = name.toLowerCase(Locale.ROOT) + "@" + host.replaceAll("[^A-Za-z0-9.-]", "_") + "_" + port + ".properties";
        SeenState state = new SeenState(dir.resolve(fileName));
        if (Files.exists(state.file)) {
            try (InputStream in = Files.newInputStream(state.file)) {
                state.seen.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + state.file, e);
            }
        }
        return state;
    }

    /** The last seq shown in the room, or -1 if never there. */
    long lastSeq(String room) {
        lock.lock();
        try {
            String v = seen.getProperty(room);
            return v == null ? -1 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /** Records that the room was shown up to {@code seq}. */
    void put(String room, long seq) {
        lock.lock();
        try {
            if (seq == lastSeq(room)) {
                return;
            }
            seen.setProperty(room, Long.toString(seq));
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                seen.store(out, "Parley terminal client: last message seen per room");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            lock.unlock();
        }
    }
}
