package dev.parley.chat.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ClientMain} in this JVM with its standard input and output replaced by pipes: the test
 * types lines and waits for what the client prints, as a person at a terminal would.
 */
final class CliDriver implements AutoCloseable {
    private final PipedOutputStream keyboard = new PipedOutputStream();
    private final BlockingQueue<String> screen = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final String label;

    /** A program of the examples that runs on a terminal: {@link ClientMain} or {@link ChatMain}. */
    @FunctionalInterface
    interface Program {
        int run(String[] args, Terminal term, PrintStream out);
    }

    /** Runs {@link ClientMain} with these arguments. */
    CliDriver(String label, String... args) throws IOException {
        this(label, (a, term, out) -> ClientMain.run(a, term), args);
    }

    /** Runs {@code program} with these arguments on a scripted terminal. */
    CliDriver(String label, Program program, String... args) throws IOException {
        this.label = label;
        PipedInputStream stdin = new PipedInputStream(keyboard, 64 * 1024);
        PrintStream stdout = new PrintStream(new LineSplitter(), true, StandardCharsets.UTF_8);
        Thread.ofVirtual().name("cli-" + label).start(() -> {
            try (Terminal term = Terminal.plain(stdin, stdout)) {
                exit.complete(program.run(args, term, stdout));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
    }

    /** Types a line and presses Enter. */
    void type(String line) throws IOException {
        keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** Ctrl-D: the end of input. */
    void endOfInput() throws IOException {
        keyboard.close();
    }

    /** Waits (up to 10 s) for a printed line containing {@code text}; returns it. */
    String expect(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String line = screen.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError(label + ": no line containing \"" + text + "\" within 10 s; screen so far:\n  "
                        + String.join("\n  ", seen));
            }
            seen.add(line);
            if (line.contains(text)) {
                return line;
            }
        }
    }

    /** Every line printed and consumed by {@link #expect} so far. */
    List<String> seen() {
        return seen;
    }

    /** The exit status, waiting up to 10 s for the client to end. */
    int exitStatus() throws Exception {
        return exit.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        keyboard.close();
    }

    /** Collects the client's output line by line. */
    private final class LineSplitter extends OutputStream {
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        @Override
        public void write(int b) {
            if (b == '\n') {
                screen.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
