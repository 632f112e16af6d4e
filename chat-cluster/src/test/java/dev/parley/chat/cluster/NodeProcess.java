package dev.parley.chat.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Launches a cluster node ({@link ClusterNodeMain}) as a process of its own, on this JVM and class
 * path, and does to it what a bad day does to a server: SIGKILL, SIGSTOP then SIGCONT, and the
 * termination of its LISTEN connection from the database side. Its log goes to
 * {@code target/nodes/NAME.log}.
 */
final class NodeProcess implements AutoCloseable {
    final String name;
    final int index;
    private final Process process;
    private final int port;

    private NodeProcess(String name, int index, Process process, int port) {
        this.name = name;
        this.index = index;
        this.process = process;
        this.port = port;
    }

    /** Starts a node and waits until it listens. */
    static NodeProcess start(String name, int index, String schema, Duration lease) throws IOException, InterruptedException {
        Path logs = Path.of("target", "nodes");
        Files.createDirectories(logs);
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xshare:off", "-XX:TieredStopAtLevel=1",
                "-Dparley.test.log=" + logs.resolve(name + ".log"),
                "-cp", System.getProperty("java.class.path"), ClusterNodeMain.class.getName(),
                Pg.url(schema), name, Long.toString(lease.toMillis())));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".err").toFile()));
        Process p = pb.start();
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("listening on ")) {
                        return Integer.parseInt(line.substring("listening on ".length()).trim());
                    }
                }
                throw new IllegalStateException("node " + name + " ended before listening; see " + logs.resolve(name + ".err"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return new NodeProcess(name, index, p, port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("node " + name + " did not start", e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: the process ends at once, its sockets are reset by the kernel. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process freezes; its sockets stay open. */
    void stop() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a stopped process goes on as if nothing happened. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String which) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + which, Long.toString(process.pid())).inheritIO().start();
        if (k.waitFor() != 0) {
            throw new IllegalStateException("kill -" + which + " " + process.pid() + " failed");
        }
    }

    /**
     * Ends the node's LISTEN connection from the database side ({@code pg_terminate_backend}).
     *
     * @return how many connections were ended
     */
    int terminateListenConnection() {
        return (int) Pg.queryLong("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name = 'parley-doorbell:" + name + "'");
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                signal("CONT"); // a stopped process cannot read its stdin
                process.getOutputStream().close(); // a clean stop
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                process.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ", port " + port + ")";
    }
}
