package dev.parley.chat.net.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the JDK's own poller for virtual threads, the one a virtual thread parks on when it blocks in
 * a socket read or write (WebSocket and TLS connections, the client), at server start rather than at
 * the first such block.
 *
 * <p>The JDK makes that poller in a class initialiser ({@code sun.nio.ch.Poller}) the first time a
 * virtual thread blocks on a socket. A class whose initialiser fails is never initialised again: if
 * the heap happens to be full at that moment, the initialiser's {@code OutOfMemoryError} leaves every
 * later blocking socket operation on every virtual thread failing with {@code NoClassDefFoundError},
 * for the life of the process, although the memory came back long ago. Starting it while the server
 * starts, when memory is not short, removes that hazard.
 */
public final class JdkPoller {
    private static final Logger log = LoggerFactory.getLogger(JdkPoller.class);
    /** The JDK 21 to 25 class whose initialiser starts the poller threads. */
    private static final String CLASS = "sun.nio.ch.Poller";

    private JdkPoller() {
    }

    /**
     * Initialises the JDK's virtual-thread poller if it is not yet. Loading and initialising a class
     * by name needs no access to its package; on a JDK without that class nothing happens (its
     * poller then starts as the JDK decides).
     */
    public static void start() {
        try {
            Class.forName(CLASS, true, null);
        } catch (ClassNotFoundException e) {
            log.debug("no {} on this JDK: its virtual-thread poller starts when first used", CLASS);
        } catch (LinkageError e) {
            // Its initialiser failed (before the server started): nothing can mend that now.
            log.warn("the JDK's virtual-thread poller could not start; blocking socket I/O on virtual threads"
                    + " will fail", e);
        }
    }
}
