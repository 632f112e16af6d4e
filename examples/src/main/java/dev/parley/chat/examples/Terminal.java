package dev.parley.chat.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.TerminalBuilder;

/**
 * The client's screen and keyboard. Lines printed while the user is typing must not garble the
 * half-typed line, so there are two kinds:
 *
 * <ul>
 *   <li>{@link #plain}: line in, line out, no colours. For pipes, files and tests.
 *   <li>{@link #jline}: when stdin is a terminal, a JLine line editor: incoming lines are printed
 *       above the line being typed ({@code printAbove}), however many rows it wraps over; input
 *       history (arrow keys, Ctrl-R, kept in a file); Tab completes commands, rooms and names;
 *       colours (unless {@code NO_COLOR} is set). JLine talks to Linux, macOS and Windows consoles.
 * </ul>
 *
 * Thread safe: {@link #println} may be called from any thread while another one reads.
 */
abstract class Terminal implements AutoCloseable {
    /** What Tab offers: given the words before the one being typed, the candidates for it. */
    @FunctionalInterface
    interface Completion {
        List<String> candidates(List<String> wordsBefore);
    }

    /** Line I/O on these streams. */
    static Terminal plain(InputStream in, PrintStream out) {
        return new Plain(in, out);
    }

    /**
     * A JLine terminal if stdin and stdout are a terminal, else plain line I/O on stdin and stdout.
     *
     * @param history where typed lines are kept between runs, or null for this run only
     */
    static Terminal system(Path history) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (System.console() != null && isTerminal()) {
            try {
                // Ctrl-C while a line is read is the editor's (see readLine); at any other moment it
                // ends the program as usual, and JLine puts the terminal back as it was.
                org.jline.terminal.Terminal t = TerminalBuilder.builder().system(true).nativeSignals(true).build();
                if (!t.getType().startsWith("dumb")) {
                    return new JLine(t, history, System.getenv("NO_COLOR") == null);
                }
                t.close();
            } catch (IOException | RuntimeException e) {
                // fall back to plain lines
            }
        }
        return new Plain(System.in, out);
    }

    /** JDK 22+ returns a Console even for pipes and tells with isTerminal(); on 21 a console means a terminal. */
    private static boolean isTerminal() {
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(System.console());
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** A JLine editor on a terminal made by the caller (tests use one on pipes). */
    static Terminal jline(org.jline.terminal.Terminal terminal, Path history, boolean colours) {
        return new JLine(terminal, history, colours);
    }

    /** Prints a complete line (without its line end) above what the user is typing. */
    abstract void println(String line);

    /**
     * Shows {@code prompt} and reads one line.
     *
     * @param keep whether the typed line stays on the screen after Enter (answers to questions do;
     *     chat lines do not, the chat shows them once sent)
     * @return the line, or {@code null} at the end of input (Ctrl-D, or Ctrl-C on an empty line)
     */
    abstract String readLine(String prompt, boolean keep) throws IOException;

    /**
     * Reads a secret (a password): not echoed on a terminal, never kept in the line history.
     *
     * @return the line, or {@code null} at the end of input
     */
    String readSecret(String prompt) throws IOException {
        return readLine(prompt, true);
    }

    /** Changes the prompt shown while typing. */
    abstract void prompt(String prompt);

    /** What Tab completes; ignored where there is no line editor. */
    void completion(Completion completion) {
    }

    /** Whether lines may carry ANSI colours. */
    boolean colours() {
        return false;
    }

    @Override
    public abstract void close();

    private static final class Plain extends Terminal {
        private final ReentrantLock lock = new ReentrantLock();
        private final BufferedReader in;
        private final PrintStream out;

        Plain(InputStream in, PrintStream out) {
            this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            this.out = out;
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

    private static final class JLine extends Terminal {
        private final org.jline.terminal.Terminal terminal;
        private final LineReaderImpl reader;
        private final boolean colours;
        private volatile Completion completion = words -> List.of();

        JLine(org.jline.terminal.Terminal terminal, Path history, boolean colours) {
            this.terminal = terminal;
            this.colours = colours;
            DefaultParser parser = new DefaultParser();
            parser.setEscapeChars(new char[0]); // a chat line is text: no shell escapes or quotes
            parser.setQuoteChars(new char[0]);
            LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("parley").parser(parser)
                    .completer((r, line, candidates) -> {
                        for (String c : completion.candidates(List.copyOf(line.words().subList(0, line.wordIndex())))) {
                            candidates.add(new Candidate(c, c, null, null, null, null, true));
                        }
                    })
                    .variable(LineReader.HISTORY_SIZE, 500)
                    .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is text, not history
                    .option(LineReader.Option.AUTO_FRESH_LINE, true)
                    .option(LineReader.Option.CASE_INSENSITIVE, true);
            if (history != null) {
                b.variable(LineReader.HISTORY_FILE, history);
            }
            this.reader = (LineReaderImpl) b.build();
        }

        @Override
        void println(String line) {
            // Above the prompt and the typed line when reading (redrawn below, however many rows
            // they wrap over); a plain line otherwise.
            reader.printAbove(line);
        }

        @Override
        String readSecret(String prompt) {
            reader.option(LineReader.Option.ERASE_LINE_ON_FINISH, false);
            try {
                return reader.readLine(prompt, (char) 0); // mask 0: no echo; masked lines skip the history
            } catch (EndOfFileException | UserInterruptException e) {
                return null;
            }
        }

        @Override
        String readLine(String prompt, boolean keep) {
            reader.option(LineReader.Option.ERASE_LINE_ON_FINISH, !keep);
            while (true) {
                try {
                    String line = reader.readLine(prompt);
                    if (!keep && !line.isBlank()) {
                        try {
                            reader.getHistory().save();
                        } catch (IOException e) {
                            // history is a convenience
                        }
                    }
                    return line;
                } catch (EndOfFileException e) {
                    return null; // Ctrl-D
                } catch (UserInterruptException e) {
                    if (e.getPartialLine().isEmpty()) {
                        return null; // Ctrl-C on an empty line quits
                    }
                    // Ctrl-C with text: drop the text, as a shell does
                }
            }
        }

        @Override
        void prompt(String prompt) {
            reader.setPrompt(prompt);
            try {
                reader.callWidget(LineReader.REDRAW_LINE);
                reader.callWidget(LineReader.REDISPLAY);
            } catch (IllegalStateException notReading) {
                // the next readLine shows it
            }
        }

        @Override
        void completion(Completion completion) {
            this.completion = completion;
        }

        @Override
        boolean colours() {
            return colours;
        }

        @Override
        public void close() {
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                // history is a convenience
            }
            try {
                terminal.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
