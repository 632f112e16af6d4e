package dev.parley.chat.cluster.internal;

import dev.parley.chat.store.StoreException;

/**
 * A write refused because this node is fenced: it lost its lease or was declared dead, so nothing it
 * writes may commit. The server answers it as {@code STORE_UNAVAILABLE}, like any store failure.
 */
public final class FencedException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** @param why what the node knows about its state */
    public FencedException(String why) {
        super("this cluster node is fenced: " + why);
    }
}
