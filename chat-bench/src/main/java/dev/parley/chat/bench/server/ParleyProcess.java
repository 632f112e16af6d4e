package dev.parley.chat.bench.server;

import dev.parley.chat.bench.load.ProcStat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Parley server in a child JVM ({@link BenchServer}), started with the same java and class path as
 * the suite, so that it is a separate process like the peers and its CPU and memory can be read
 * from /proc. Talks to it over its stdin/stdout: it prints {@code READY port=N}, answers
 * {@code gc} with {@code HEAP used=BYTES}, and exits on {@code stop} or end of input.
 */
public final class ParleyProcess implements AutoCloseable {
    /** {@code setsid} from util-linux, or null where there is none (the server then shares the session). */
    private static final String SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"))
            ? "/usr/bin/setsid" : null;

    private final Process process;
    private final BufferedReader stdout;
    private final Writer stdin;
    private final int port;

    private ParleyProcess(Process process, BufferedReader stdout, Writer stdin, int port) {
        this.process = process;
        this.stdout = stdout;
        this.stdin = stdin;
        this.port = port;
    }

    /**
     * Starts a bench server and waits until it listens.
     *
     * @param jvmOptions options for the child JVM (heap, GC, JFR)
     * @param serverArgs {@link BenchServer} arguments ({@code store=...}, {@code preload=...})
     * @param log where the child's stderr (its log) goes
     */
    public static ParleyProcess start(List<String> jvmOptions, List<String> serverArgs, Path log, long timeoutSeconds)
            throws IOException {
        return start(jvmOptions, System.getProperty("java.class.path"), serverArgs, log, timeoutSeconds);
    }

    /**
     * {@link #start(List, List, Path, long)} with another class path for the server: a bench server
     * built from another commit ({@code chat-bench/ab.sh}), driven by this JVM's generator.
     *
     * @param classPath the child's class path; it must hold a {@link BenchServer} with the same
     *     stdin/stdout protocol
     */
    public static ParleyProcess start(List<String> jvmOptions, String classPath, List<String> serverArgs, Path log,
            long timeoutSeconds) throws IOException {
        return start(jvmOptions, classPath, serverArgs, log, timeoutSeconds, true);
    }

    /**
     * {@link #start(List, String, List, Path, long)}, choosing the server's session.
     *
     * @param ownSession whether the server runs in a session of its own ({@code setsid}), as the peers
     *     do (each a service started on its own). With Linux's scheduler autogroups (on by default), a
     *     session is one scheduling group: a server in the generator's session shares the generator's
     *     group, so the two are scheduled against each other thread by thread, while every peer is
     *     scheduled against the generator as a group of its own. {@code false} is the old placement,
     *     kept to measure the difference
     */
    public static ParleyProcess start(List<String> jvmOptions, String classPath, List<String> serverArgs, Path log,
            long timeoutSeconds, boolean ownSession) throws IOException {
        boolean setsid = ownSession && SETSID != null;
        List<String> cmd = new ArrayList<>();
        if (setsid) {
            cmd.add(SETSID); // execs in place (the child is no process-group leader): the pid stays the JVM's
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(BenchServer.class.getName());
        cmd.addAll(serverArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY port=")) {
                // No /proc: nothing is read from it either, so the pid does not matter.
                if (setsid && !ProcStat.comm(p.pid()).orElse("java").equals("java")) {
                    p.destroyForcibly();
                    throw new IOException("setsid forked: pid " + p.pid() + " is not the server's JVM");
                }
                return new ParleyProcess(p, out, in, Integer.parseInt(line.substring("READY port=".length()).trim()));
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        p.destroyForcibly();
        throw new IOException("bench server did not start; see " + log);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    public long pid() {
        return process.pid();
    }

    /** Runs a full GC in the server and returns the heap in use afterwards, in bytes. */
    public long heapUsedAfterGc() throws IOException {
        stdin.write("gc\n");
        stdin.flush();
        String line;
        while ((line = stdout.readLine()) != null) {
            if (line.startsWith("HEAP used=")) {
                return Long.parseLong(line.substring("HEAP used=".length()).trim());
            }
        }
        throw new IOException("bench server exited");
    }

    /** SIGKILL: the server ends at once (a crashed cluster node). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Asks the server to stop, and kills it if it does not within 10 s. */
    @Override
    public void close() {
        try {
            stdin.write("stop\n");
            stdin.flush();
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
