package dev.parley.chat.spring;

import dev.parley.chat.server.ChatServer;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link ChatServer} with the application context and closes it gracefully when the
 * context stops: clients get {@code ERROR code=SHUTTING_DOWN} and {@code BYE reason=shutdown}, queued
 * frames drain for up to {@code parley.drain-timeout}. Its phase is the last to start and the first
 * to stop, before the web server's graceful shutdown and stop, so WebSocket clients are told goodbye
 * while their container still runs.
 */
public class ParleyServerLifecycle implements SmartLifecycle {
    /** Started after, stopped before, every lifecycle of lower phase (the web server's included). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE;

    private final ChatServer server;
    private volatile boolean running;

    public ParleyServerLifecycle(ChatServer server) {
        this.server = server;
    }

    @Override
    public void start() {
        server.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        server.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
