package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The raw-mode line editor: what the user types survives lines printed in the middle of it. */
@Timeout(10)
class TerminalTest {
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(screen, true, StandardCharsets.UTF_8);

    private String screen() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anIncomingLineIsPrintedAboveTheHalfTypedLineWhichIsRedrawn() throws Exception {
        PipedOutputStream keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys);
        try (Terminal.Raw term = Terminal.Raw.forTest(in, out)) {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> read(term, "lobby> "),
                    Executors.newVirtualThreadPerTaskExecutor());
            keys.write("hel".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            waitFor("lobby> hel");
            term.println("10:00 Ritam: hi");
            assertTrue(screen().endsWith("lobby> hel\r\033[K10:00 Ritam: hi\nlobby> hel"), screen());
            keys.write("lo\r".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            assertEquals("hello", line.get(5, TimeUnit.SECONDS));
            // The sent line is erased; the chat shows it once the server has it.
            assertTrue(screen().endsWith("\r\033[Klobby> "), screen());
        }
    }

    @Test
    void editingKeysAndUtf8() throws Exception {
        // Backspace, a UTF-8 letter, an arrow key (ignored), Ctrl-W, Ctrl-U, then Enter.
        byte[] typed = concat("abc\u007fd ".getBytes(StandardCharsets.UTF_8), "\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8),
                new byte[] {0x1b, '[', 'D'}, " drop\u0017me\r".getBytes(StandardCharsets.UTF_8));
        try (Terminal.Raw term = Terminal.Raw.forTest(new java.io.ByteArrayInputStream(typed), out)) {
            assertEquals("abd \u00e9t\u00e9 me", term.readLine("> ", false));
        }
        try (Terminal.Raw term = Terminal.Raw.forTest(new java.io.ByteArrayInputStream("gone\u0015kept\r".getBytes(StandardCharsets.UTF_8)), out)) {
            assertEquals("kept", term.readLine("> ", false));
        }
    }

    @Test
    void ctrlDOnAnEmptyLineIsTheEndOfInputButNotInTheMiddleOfOne() throws Exception {
        try (Terminal.Raw term = Terminal.Raw.forTest(new java.io.ByteArrayInputStream("ab\u0004c\r\u0004".getBytes(StandardCharsets.UTF_8)), out)) {
            assertEquals("abc", term.readLine("> ", false));
            assertNull(term.readLine("> ", false));
        }
    }

    private static String read(Terminal term, String prompt) {
        try {
            return term.readLine(prompt, false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void waitFor(String text) throws InterruptedException {
        // The editor echoes each key as it reads it; poll the screen until the echo is there.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!screen().endsWith(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("screen does not end with " + text + ": " + screen());
            }
            Thread.onSpinWait();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
