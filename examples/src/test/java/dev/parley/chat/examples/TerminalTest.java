package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JLine terminal on a scripted 40-column xterm: what the user types survives lines printed in
 * the middle of it (however many rows it wraps over), Tab completes, the arrow keys recall history.
 */
@Timeout(20)
class TerminalTest {
    private final PipedOutputStream keys = new PipedOutputStream();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final Terminal term;

    TerminalTest() throws IOException {
        ExternalTerminal xterm = new ExternalTerminal("test", "xterm-256color", new PipedInputStream(keys, 65536),
                new SynchronizedOutput(screen), StandardCharsets.UTF_8);
        xterm.setSize(new Size(40, 12));
        term = Terminal.jline(xterm, null, true);
    }

    @AfterEach
    void close() {
        term.close();
    }

    private String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    private void type(String s) throws IOException {
        keys.write(s.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private CompletableFuture<String> readLineAsync(String prompt) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return term.readLine(prompt, false);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
    }

    /** Whether the screen, after {@code from}, shows the editor's "^C" and then a new prompt. */
    private boolean promptAfterCtrlC(int from) {
        String after = screen().substring(from);
        int ctrlC = after.indexOf("^C");
        return ctrlC >= 0 && after.indexOf("> ", ctrlC) >= 0;
    }

    private void waitForScreen(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!screen().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "the screen never showed " + text + ":\n" + screen());
            Thread.sleep(5); // polling a screen the editor writes to from its own thread
        }
    }

    @Test
    void aLineArrivingWhileALongLineIsTypedIsPrintedAboveItAndTheLineComesBackWhole() throws Exception {
        String longLine = "this line is longer than the forty columns of the terminal, it wraps twice";
        CompletableFuture<String> line = readLineAsync("lobby> ");
        type(longLine.substring(0, 60));
        waitForScreen("columns of the");
        int before = screen().length();
        term.println("10:00 Ritam: hi");
        type(longLine.substring(60) + "\r");
        assertEquals(longLine, line.get(10, TimeUnit.SECONDS));
        String after = screen().substring(before);
        assertTrue(after.contains("10:00 Ritam: hi"), after);
        // printAbove redraws the prompt and all of the typed text below the new line
        assertTrue(after.indexOf("lobby> ") > after.indexOf("Ritam: hi"), after);
    }

    @Test
    void tabCompletesCommandsThenRoomsThenNames() throws Exception {
        term.completion(words -> words.isEmpty() ? List.of("/join", "/who", "Souvik")
                : words.get(0).equals("/join") ? List.of("lobby", "random") : List.of("Ritam", "Souvik"));
        CompletableFuture<String> line = readLineAsync("> ");
        type("/jo\t");
        waitForScreen("/join");
        type("lob\t");
        waitForScreen("lobby");
        type("\r");
        assertEquals("/join lobby", line.get(10, TimeUnit.SECONDS).strip());

        CompletableFuture<String> dm = readLineAsync("> ");
        type("/msg Ri\t");
        waitForScreen("Ritam");
        type("hi\r");
        assertEquals("/msg Ritam hi", dm.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theUpArrowRecallsTheLastLine() throws Exception {
        CompletableFuture<String> first = readLineAsync("> ");
        type("first line\r");
        assertEquals("first line", first.get(10, TimeUnit.SECONDS));
        CompletableFuture<String> again = readLineAsync("> ");
        type("\033OA\r"); // up, as an xterm in application-cursor mode sends it
        assertEquals("first line", again.get(10, TimeUnit.SECONDS));
    }

    @Test
    void ctrlDOrCtrlCOnAnEmptyLineEndsTheInput() throws Exception {
        CompletableFuture<String> d = readLineAsync("> ");
        type("\u0004");
        assertNull(d.get(10, TimeUnit.SECONDS));
        CompletableFuture<String> c = readLineAsync("> ");
        // Ctrl-C with text drops the text, as a shell does. Typed only once the editor has echoed the
        // text: a Ctrl-C that arrives before the editor reads is a signal nobody handles yet.
        // "typo" alone is not the editor's echo: typed before the editor took the terminal, the
        // terminal's own echo shows it; the editor shows it after its prompt.
        type("typo");
        waitForScreen("> typo");
        int before = screen().length();
        type("\u0003");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!promptAfterCtrlC(before)) { // the editor echoes ^C and starts the line again
            assertTrue(System.nanoTime() < deadline, "no new prompt after Ctrl-C:\n" + screen());
            Thread.sleep(5);
        }
        type("kept\r");
        assertEquals("kept", c.get(10, TimeUnit.SECONDS));
    }

    @Test
    void plainModeHasNoColoursAndPrintsLinesAsTheyAre() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Terminal plain = Terminal.plain(new java.io.ByteArrayInputStream("hello\n".getBytes(StandardCharsets.UTF_8)),
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8))) {
            assertTrue(!plain.colours());
            plain.println("10:00 Ritam: hi");
            assertEquals("hello", plain.readLine("> ", false));
            assertNull(plain.readLine("> ", false));
        }
        assertEquals("10:00 Ritam: hi\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("x", new Style(false).name("x", true));
        assertEquals("\033[31m! no\033[0m", new Style(true).error("! no"));
    }

    /** The editor writes from its own threads; the test reads the bytes so far. */
    private static final class SynchronizedOutput extends java.io.OutputStream {
        private final ByteArrayOutputStream target;

        SynchronizedOutput(ByteArrayOutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            synchronized (target) {
                target.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (target) {
                target.write(b, off, len);
            }
        }
    }
}
