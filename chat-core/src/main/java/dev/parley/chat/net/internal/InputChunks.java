package dev.parley.chat.net.internal;

import java.io.IOException;

/**
 * An optional capability of a {@link dev.parley.chat.transport.Connection}: input taken in the
 * pieces it arrived in, without waiting. A server reader that finds nothing there does not park: it
 * leaves a callback and ends, and the callback starts a new reader when there is something to read,
 * so an idle connection holds no thread (and no thread stack) at all. Not exported.
 */
public interface InputChunks {

    /** Returned by {@link #takeOrCallBack} when nothing has arrived. */
    byte[] NOTHING = new byte[0];

    /**
     * Takes everything received so far and not yet taken, without waiting.
     *
     * @param whenReadable run once, on another thread, as soon as input, its end, a read failure or
     *     the close arrives, if and only if this call returns {@link #NOTHING}; it must not block
     * @return the bytes (never empty, owned by the caller from now on), {@link #NOTHING}, or
     *     {@code null} at the end of the input
     * @throws IOException if reading failed or the connection is closed
     */
    byte[] takeOrCallBack(Runnable whenReadable) throws IOException;
}
