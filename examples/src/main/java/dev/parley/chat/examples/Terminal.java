package dev.parley.chat.examples;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client's screen and keyboard. Lines printed while the user is typing must not garble the
 * half-typed line, so there are two kinds:
 *
 * <ul>
 *   <li>{@link #plain}: line in, line out. For pipes, files and tests.
 *   <li>{@link #raw}: when stdin is a terminal. The terminal is put in non-canonical, no-echo mode with
 *       {@code stty} (through {@code /dev/tty}) and this class echoes and edits the line itself, so it
 *       always knows what is typed: an incoming line is printed by going back to the start of the
 *       row ({@code \r}), clearing it ({@code ESC [K}), printing the line, then redrawing the prompt and
 *       the typed text. The terminal mode is restored on {@link #close()} and on exit.
 * </ul>
 *
 * Thread safe: {@link #println} may be called from any thread while another one reads.
 */
abstract class Terminal implements AutoCloseable {
    protected final ReentrantLock lock = new ReentrantLock();
    protected final PrintStream out;

    Terminal(PrintStream out) {
        this.out = out;
    }

    /** Line I/O on these streams. */
    static Terminal plain(InputStream in, PrintStream out) {
        return new Plain(in, out);
    }

    /**
     * A raw-mode terminal if stdin is a terminal and {@code stty} works, else plain line I/O on
     * stdin and stdout.
     */
    static Terminal system() {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (stdinIsTerminal()) {
            Terminal raw = Raw.open(System.in, out);
            if (raw != null) {
                return raw;
            }
        }
        return new Plain(System.in, out);
    }

    /**
     * Prints a complete line (without its line end) above what the user is typing.
     */
    abstract void println(String line);

    /**
     * Shows {@code prompt} and reads one line.
     *
     * @param keep whether the typed line stays on the screen after Enter (answers to questions do;
     *     chat lines do not, the chat shows them once sent)
     * @return the line, or {@code null} at the end of input (Ctrl-D on an empty line)
     */
    abstract String readLine(String prompt, boolean keep) throws IOException;

    /** Changes the prompt shown while typing. */
    abstract void prompt(String prompt);

    @Override
    public abstract void close();

    private static boolean stdinIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // JDK 22+ returns a Console even for pipes; it tells with isTerminal().
            Method isTerminal = java.io.Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a non-null console means a terminal
        }
    }

    private static final class Plain extends Terminal {
        private final BufferedReader in;

        Plain(InputStream in, PrintStream out) {
            super(out);
            this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        }

        @Override
        void println(String line) {
            lock.lock();
            try {
                out.println(line);
                out.flush();
            } finally {
                lock.unlock();
            }
        }

        @Override
        String readLine(String prompt, boolean keep) throws IOException {
            if (keep) {
                lock.lock();
                try {
                    out.print(prompt);
                    out.flush();
                } finally {
                    lock.unlock();
                }
            }
            return in.readLine();
        }

        @Override
        void prompt(String prompt) {
        }

        @Override
        public void close() {
            out.flush();
        }
    }

    static final class Raw extends Terminal {
        private final InputStream in;
        private final String saved;
        private final Thread restoreOnExit;
        // Guarded by lock.
        private final StringBuilder typed = new StringBuilder();
        private String prompt = "";
        private boolean closed;

        private Raw(InputStream in, PrintStream out, String saved) {
            super(out);
            this.in = in;
            this.saved = saved;
            this.restoreOnExit = new Thread(this::restore, "parley-terminal-restore");
        }

        /** A raw-mode line editor on these streams that leaves the real terminal alone: for tests. */
        static Raw forTest(InputStream in, PrintStream out) {
            return new Raw(in, out, null);
        }

        static Raw open(InputStream in, PrintStream out) {
            String saved = stty("-g");
            if (saved == null || saved.isBlank() || stty("-icanon -echo min 1 time 0") == null) {
                return null;
            }
            Raw raw = new Raw(in, out, saved.strip());
            // Ctrl-C ends the JVM; the terminal must not stay in raw mode.
            Runtime.getRuntime().addShutdownHook(raw.restoreOnExit);
            return raw;
        }

        /** Runs {@code stty ARGS < /dev/tty}; its output, or null if it failed. */
        private static String stty(String args) {
            try {
                Process p = new ProcessBuilder("sh", "-c", "stty " + args + " < /dev/tty")
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return null;
                }
                return output;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        @Override
        void println(String line) {
            lock.lock();
            try {
                out.print("\r\033[K");
                out.print(line);
                out.print("\n");
                out.print(prompt);
                out.print(typed);
                out.flush();
            } finally {
                lock.unlock();
            }
        }

        @Override
        void prompt(String prompt) {
            lock.lock();
            try {
                this.prompt = prompt;
                redraw();
            } finally {
                lock.unlock();
            }
        }

        /** Caller holds the lock. */
        private void redraw() {
            out.print("\r\033[K");
            out.print(prompt);
            out.print(typed);
            out.flush();
        }

        @Override
        String readLine(String newPrompt, boolean keep) throws IOException {
            prompt(newPrompt);
            ByteArrayOutputStream pendingUtf8 = new ByteArrayOutputStream(4);
            int needed = 0;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return finish(null, keep);
                }
                if (needed > 0) {
                    pendingUtf8.write(b);
                    if (--needed == 0) {
                        insert(pendingUtf8.toString(StandardCharsets.UTF_8));
                        pendingUtf8.reset();
                    }
                    continue;
                }
                if (b >= 0xc0) {
                    needed = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
                    pendingUtf8.write(b);
                    continue;
                }
                switch (b) {
                    case '\r', '\n' -> {
                        String line;
                        lock.lock();
                        try {
                            line = typed.toString();
                        } finally {
                            lock.unlock();
                        }
                        return finish(line, keep);
                    }
                    case 0x04 -> { // Ctrl-D: end of input on an empty line
                        lock.lock();
                        try {
                            if (typed.isEmpty()) {
                                return finish(null, keep);
                            }
                        } finally {
                            lock.unlock();
                        }
                    }
                    case 0x7f, 0x08 -> edit(() -> {
                        if (!typed.isEmpty()) {
                            int cut = typed.offsetByCodePoints(typed.length(), -1);
                            typed.setLength(cut);
                        }
                    });
                    case 0x15 -> edit(() -> typed.setLength(0)); // Ctrl-U
                    case 0x17 -> edit(() -> { // Ctrl-W: delete the last word
                        int end = typed.length();
                        while (end > 0 && typed.charAt(end - 1) == ' ') {
                            end--;
                        }
                        while (end > 0 && typed.charAt(end - 1) != ' ') {
                            end--;
                        }
                        typed.setLength(end);
                    });
                    case 0x0c -> edit(() -> out.print("\033[H\033[2J")); // Ctrl-L
                    case 0x1b -> skipEscapeSequence();
                    case '\t' -> insert(" ");
                    default -> {
                        if (b >= 0x20 && b < 0x7f) {
                            insert(String.valueOf((char) b));
                        }
                    }
                }
            }
        }

        /** Arrow keys and friends send ESC [ ... final-byte; this editor has no use for them. */
        private void skipEscapeSequence() throws IOException {
            int b = in.read();
            if (b != '[' && b != 'O') {
                return;
            }
            do {
                b = in.read();
            } while (b >= 0 && (b < 0x40 || b > 0x7e));
        }

        private void insert(String s) {
            lock.lock();
            try {
                typed.append(s);
                out.print(s);
                out.flush();
            } finally {
                lock.unlock();
            }
        }

        private void edit(Runnable change) {
            lock.lock();
            try {
                change.run();
                redraw();
            } finally {
                lock.unlock();
            }
        }

        private String finish(String line, boolean keep) {
            lock.lock();
            try {
                typed.setLength(0);
                if (keep) {
                    out.print("\n");
                    prompt = "";
                } else {
                    out.print("\r\033[K");
                    out.print(prompt);
                }
                out.flush();
                return line;
            } finally {
                lock.unlock();
            }
        }

        private void restore() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                out.print("\r\033[K");
                out.flush();
            } finally {
                lock.unlock();
            }
            if (saved != null) {
                stty(saved);
            }
        }

        @Override
        public void close() {
            restore();
            if (saved == null) {
                return; // made by forTest: no hook was added
            }
            try {
                Runtime.getRuntime().removeShutdownHook(restoreOnExit);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway
            }
        }
    }
}
