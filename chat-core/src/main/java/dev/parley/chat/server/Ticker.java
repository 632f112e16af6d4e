package dev.parley.chat.server;

/**
 * The server's monotonic clock for deadlines, rate limits and waits, in nanoseconds. The system one
 * is {@link System#nanoTime}; tests play a fake one. (Message times come from the builder's
 * {@code InstantSource}, not from here.)
 */
@FunctionalInterface
interface Ticker {
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
