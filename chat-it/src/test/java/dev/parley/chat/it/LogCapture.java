package dev.parley.chat.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what Parley logs (logger {@code dev.parley}, every level) while it is open. */
final class LogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.parley");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level previous;

    LogCapture() {
        previous = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        appender.start();
        logger.addAppender(appender);
    }

    /** A copy of the events so far (the appender appends under its own monitor). */
    List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /**
     * The events since the last drain, forgetting them: a long fuzzing run logs millions, and keeping
     * and copying all of them after every input costs memory and time that grow with the run.
     */
    List<ILoggingEvent> drain() {
        synchronized (appender) {
            List<ILoggingEvent> events = List.copyOf(appender.list);
            appender.list.clear();
            return events;
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previous);
    }
}
