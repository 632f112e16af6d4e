package dev.parley.chat.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conversations waiting for a missing seq (see {@link Conversation}). The reaper calls
 * {@link #check} on every pass, which ends the waits whose bound has passed.
 */
final class GapWaits {
    private final Set<Conversation> waiting = ConcurrentHashMap.newKeySet();

    void add(Conversation c) {
        waiting.add(c);
    }

    /** One pass: lets every waiting conversation look at its bound; forgets those done waiting. */
    void check() {
        for (Conversation c : waiting) {
            waiting.remove(c); // before looking: a wait that starts meanwhile adds it again
            if (c.checkWait()) {
                waiting.add(c);
            }
        }
    }

    int size() {
        return waiting.size();
    }
}
