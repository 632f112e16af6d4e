package dev.parley.chat.net.internal;

import java.io.IOException;

/**
 * An optional capability of a {@link dev.parley.chat.transport.Connection}: end the output (a TCP FIN)
 * while still reading. A server that closes a socket with unread input makes the kernel send a reset,
 * which can destroy the last frames (BYE) before the peer reads them; ending the output first and
 * reading until the peer closes avoids that ("lingering close"). Not exported.
 */
public interface HalfClose {

    /** Ends the output; reads still work. */
    void shutdownOutput() throws IOException;
}
