package dev.parley.chat.net;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium driven over the Chrome DevTools Protocol with the JDK alone
 * ({@code java.net.http.WebSocket} and a tiny JSON codec): no Selenium, no chromedriver.
 *
 * <p>{@link #launch} fails the test when Chromium is missing and the environment requires a browser
 * ({@code PARLEY_REQUIRE_BROWSER=1} or {@code CI=true}); otherwise it skips the test with a message.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path userDataDir;
    private final HttpClient http;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Map<String, Object>>> calls = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path userDataDir, HttpClient http, WebSocket socket) {
        this.process = process;
        this.userDataDir = userDataDir;
        this.http = http;
        this.socket = socket;
    }

    /** Whether a missing browser must fail the build instead of skipping. */
    static boolean required() {
        return "1".equals(System.getenv("PARLEY_REQUIRE_BROWSER")) || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The Chromium executable: $PARLEY_CHROMIUM, or chromium / chromium-browser / google-chrome on the PATH. */
    static Optional<Path> find() {
        String explicit = System.getenv("PARLEY_CHROMIUM");
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Path.of(explicit)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Starts a fresh headless browser, or fails/skips the test as {@link #required()} says. */
    static HeadlessChromium launch(Path logFile) throws IOException, InterruptedException {
        Optional<Path> exe = find();
        if (exe.isEmpty()) {
            String how = "install it (Debian: apt-get install -y chromium) or point PARLEY_CHROMIUM at it";
            if (required()) {
                Assertions.fail("Chromium is required (PARLEY_REQUIRE_BROWSER=1 or CI=true) but was not found: " + how);
            }
            Assumptions.abort("browser test skipped: no Chromium found; " + how
                    + "; set PARLEY_REQUIRE_BROWSER=1 to make this a failure");
        }
        Path dir = Files.createTempDirectory("parley-chromium-");
        List<String> cmd = new ArrayList<>(List.of(exe.get().toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + dir, "--remote-debugging-port=0", "--window-size=1200,760", "about:blank"));
        Files.createDirectories(logFile.getParent());
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            Path portFile = dir.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            List<String> lines = List.of();
            while (lines.size() < 2) {
                if (!process.isAlive()) {
                    throw new IOException("Chromium exited with " + process.exitValue() + " at start; see " + logFile);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("Chromium wrote no DevToolsActivePort within " + START_TIMEOUT + "; see " + logFile);
                }
                if (Files.exists(portFile)) {
                    lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
                }
                if (lines.size() < 2) {
                    // Waiting for the browser process to write the file; the deadline bounds the loop.
                    process.waitFor(50, TimeUnit.MILLISECONDS);
                }
            }
            URI browserUri = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
            CdpListener listener = new CdpListener();
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(browserUri, listener).get(10, TimeUnit.SECONDS);
            HeadlessChromium browser = new HeadlessChromium(process, dir, http, socket);
            listener.browser = browser;
            return browser;
        } catch (IOException | InterruptedException | RuntimeException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            deleteTree(dir);
            http.close();
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IOException("cannot connect to Chromium: " + e, e);
        }
    }

    /** Opens a new tab, returning a handle bound to it. */
    Page newPage(int width, int height) throws Exception {
        String targetId = (String) call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId");
        String session = (String) call(null, "Target.attachToTarget", Map.of("targetId", targetId, "flatten", true))
                .get("sessionId");
        Page page = new Page(session);
        page.call("Page.enable", Map.of());
        page.call("Runtime.enable", Map.of());
        page.call("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        return page;
    }

    private Map<String, Object> call(String session, String method, Map<String, Object> params) throws Exception {
        long id = ids.incrementAndGet();
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("id", id);
        if (session != null) {
            msg.put("sessionId", session);
        }
        msg.put("method", method);
        msg.put("params", params);
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        calls.put(id, reply);
        socket.sendText(Json.write(msg), true).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Object> response;
        try {
            response = reply.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            calls.remove(id);
        }
        if (response.get("error") != null) {
            throw new CdpException(method + " failed: " + Json.write(response.get("error")));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) response.get("result");
        return result == null ? Map.of() : result;
    }

    @SuppressWarnings("unchecked")
    private void onMessage(String text) {
        Map<String, Object> msg = (Map<String, Object>) Json.parse(text);
        Object id = msg.get("id");
        if (id instanceof Long l) {
            CompletableFuture<Map<String, Object>> f = calls.get(l);
            if (f != null) {
                f.complete(msg);
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.sendText(Json.write(Map.of("id", ids.incrementAndGet(), "method", "Browser.close")), true)
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the browser may already be gone; destroy below either way
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        socket.abort();
        http.close();
        deleteTree(userDataDir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    /** A DevTools failure (an exception thrown in the page, a bad call). */
    static final class CdpException extends Exception {
        private static final long serialVersionUID = 1L;

        CdpException(String message) {
            super(message);
        }
    }

    /** One tab. */
    final class Page {
        private final String session;

        private Page(String session) {
            this.session = session;
        }

        Map<String, Object> call(String method, Map<String, Object> params) throws Exception {
            return HeadlessChromium.this.call(session, method, params);
        }

        void navigate(String url) throws Exception {
            call("Page.navigate", Map.of("url", url));
        }

        void reload() throws Exception {
            call("Page.reload", Map.of("ignoreCache", true));
        }

        /** Evaluates an expression in the page and returns its JSON value. */
        Object eval(String expression) throws Exception {
            Map<String, Object> r = call("Runtime.evaluate",
                    Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
            if (r.get("exceptionDetails") != null) {
                throw new CdpException("page threw: " + Json.write(r.get("exceptionDetails")));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) r.get("result");
            return result.get("value");
        }

        /**
         * Waits until {@code expression} is truthy in the page, polling the DOM inside the page
         * every 50 ms, and returns its value. A navigation in between (the page context goes away)
         * is retried until the deadline.
         */
        Object waitFor(String description, String expression, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            String lastError = "";
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout + " waiting for " + description
                            + (lastError.isEmpty() ? "" : " (" + lastError + ")"));
                }
                long slice = Math.min(left, 10_000);
                String poll = "new Promise((resolve) => { const end = Date.now() + " + slice + ";"
                        + " const tick = () => { let v = null; try { v = (" + expression + "); } catch (e) { v = null; }"
                        + " if (v) resolve(v); else if (Date.now() > end) resolve(null); else setTimeout(tick, 50); };"
                        + " tick(); })";
                try {
                    Object v = eval(poll);
                    if (v != null && !Boolean.FALSE.equals(v)) {
                        return v;
                    }
                } catch (CdpException e) {
                    lastError = e.getMessage(); // context destroyed by a navigation: evaluate again
                }
            }
        }

        /** Types text into the focused element as if from the keyboard (an IME commit). */
        void type(String selector, String text) throws Exception {
            eval("document.querySelector(" + Json.write(selector) + ").focus()");
            call("Input.insertText", Map.of("text", text));
        }

        /** Presses Enter in the focused element. */
        void pressEnter() throws Exception {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("type", "keyDown");
            key.put("key", "Enter");
            key.put("code", "Enter");
            key.put("windowsVirtualKeyCode", 13);
            key.put("nativeVirtualKeyCode", 13);
            key.put("text", "\r");
            call("Input.dispatchKeyEvent", key);
            key.put("type", "keyUp");
            key.remove("text");
            call("Input.dispatchKeyEvent", key);
        }

        /** A PNG of the viewport. */
        byte[] screenshot() throws Exception {
            String data = (String) call("Page.captureScreenshot", Map.of("format", "png")).get("data");
            return Base64.getDecoder().decode(data);
        }
    }

    /** Collects (possibly fragmented) CDP messages and hands them to the browser object. */
    private static final class CdpListener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        volatile HeadlessChromium browser;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                HeadlessChromium b = browser;
                if (b != null) {
                    b.onMessage(message);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
