package dev.parley.chat.spring;

import dev.parley.chat.server.ChatServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link ChatServer} with the application context and closes it gracefully when the
 * context stops: clients get {@code ERROR code=SHUTTING_DOWN} and {@code BYE reason=shutdown}, queued
 * frames drain for up to {@code parley.drain-timeout}. Its phase is the last to start and the first
 * to stop, before the web server's graceful shutdown and stop, so WebSocket clients are told goodbye
 * while their container still runs.
 *
 * <p>A {@code ChatServer} runs once: a context started again after {@code stop()} (Spring's test
 * framework restarts paused contexts) keeps it closed and says so in the log.
 */
public class ParleyServerLifecycle implements SmartLifecycle {
    /** Started after, stopped before, every lifecycle of lower phase (the web server's included). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE;

    private static final Logger log = LoggerFactory.getLogger(ParleyServerLifecycle.class);

    private final ChatServer server;
    private volatile boolean running;
    private volatile boolean stopped;

    public ParleyServerLifecycle(ChatServer server) {
        this.server = server;
    }

    @Override
    public void start() {
        if (stopped) {
            log.warn("the Parley chat server was stopped with the application context and cannot start again");
            return;
        }
        server.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        stopped = true;
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
