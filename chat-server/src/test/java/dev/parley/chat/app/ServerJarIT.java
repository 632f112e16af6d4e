package dev.parley.chat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, run as a user runs it: {@code java -jar parley-server.jar} in a folder of its own,
 * with no argument (the port comes from {@code PARLEY_PORT=0}, so that parallel builds do not fight
 * over 7878), and {@code bin/parley}. Runs after {@code package} (failsafe).
 */
@Timeout(120)
class ServerJarIT {
    private static final Path JAR = Path.of(System.getProperty("parley.server.jar", "target/parley-server.jar"));
    private static final Path LAUNCHER = Path.of(System.getProperty("parley.launcher", "../bin/parley"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    /** A child process whose output lines are collected as they come. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> seen = new ArrayList<>();
        final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

        Child(ProcessBuilder pb) throws IOException {
            process = pb.redirectErrorStream(true).start();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the process ended
                } finally {
                    ended.countDown();
                }
            });
        }

        Matcher expect(String regex) throws InterruptedException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no line matching " + regex + "; output so far:\n" + String.join("\n", seen));
                }
                seen.add(line);
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
        }

        String rest() throws InterruptedException {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the process did not end");
            assertTrue(ended.await(10, TimeUnit.SECONDS), "its output did not end");
            List<String> more = new ArrayList<>();
            lines.drainTo(more);
            seen.addAll(more);
            return String.join("\n", seen);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void javaDashJarWithNoArgumentKeepsHistoryInParleyDataAndStopsCleanlyOnSigterm() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "build the jar first (mvn package): " + JAR.toAbsolutePath());
        ProcessBuilder pb = new ProcessBuilder(JAVA, "-jar", JAR.toAbsolutePath().toString()).directory(dir.toFile());
        pb.environment().put("PARLEY_PORT", "0");
        try (Child server = new Child(pb)) {
            int port = Integer.parseInt(server.expect("^listening on 0\\.0\\.0\\.0:(\\d+)$").group(1));
            int webPort = Integer.parseInt(server.expect("^page at http://localhost:(\\d+)/$").group(1));
            try (LineClient souvik = new LineClient(new Socket("127.0.0.1", port))) {
                souvik.send("HELLO proto=1 name=Souvik");
                souvik.readUntil("WELCOME");
                souvik.send("JOIN room=lobby");
                souvik.readUntil("JOINED");
                server.expect("Souvik joined lobby");
                souvik.send("SEND room=lobby ref=1 :kept on disk");
                souvik.readUntil("ACK");
                try (Socket http = new Socket("127.0.0.1", webPort)) {
                    http.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    String answer = new String(http.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.endsWith("ok\n"), answer);
                }

                // SIGTERM. Not Process.destroy(): it also closes our end of the output pipe.
                server.process.toHandle().destroy();
                assertTrue(souvik.readUntil("BYE").contains("reason=shutdown"));
            }
            String output = server.rest();
            assertEquals(143, server.process.exitValue(), output);
            assertTrue(output.contains("stopped"), output);
            assertTrue(!output.contains("Exception"), output);
        }
        assertTrue(Files.isRegularFile(dir.resolve("parley-data").resolve("parley.mv.db")), "H2 in ./parley-data");
    }

    @Test
    void theLauncherFindsTheJarAndAJava21AndPassesTheOptions() throws Exception {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER.toString());
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString(), "--help").directory(dir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PARLEY_JAR", JAR.toAbsolutePath().toString());
        try (Child help = new Child(pb)) {
            help.expect("^Usage: parley");
            String output = help.rest();
            assertEquals(0, help.process.exitValue(), output);
            for (String option : ServerOptions.optionNames()) {
                assertTrue(output.contains(option), option + " missing from:\n" + output);
            }
        }
        ProcessBuilder version = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString(), "--version").directory(dir.toFile());
        version.environment().putAll(Map.of("JAVA_HOME", System.getProperty("java.home"), "PARLEY_JAR", JAR.toAbsolutePath().toString()));
        try (Child v = new Child(version)) {
            v.expect("^Parley server \\d+\\.\\d+");
            assertEquals(0, v.process.waitFor(), v.rest());
        }
    }

    @Test
    void aMistakeInTheOptionsExitsWith2AndSaysWhy() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(JAVA, "-jar", JAR.toAbsolutePath().toString(), "--port", "seventy").directory(dir.toFile());
        try (Child c = new Child(pb)) {
            c.expect("--port");
            String output = c.rest();
            assertEquals(2, c.process.exitValue(), output);
            assertTrue(output.contains("Try --help"), output);
        }
    }
}
