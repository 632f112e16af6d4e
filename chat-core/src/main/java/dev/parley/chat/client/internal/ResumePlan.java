package dev.parley.chat.client.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a session sends on a fresh connection to pick up exactly where the last one ended, in this
 * order: a rejoin of every room with {@code since=} its cursor, a catch-up ({@code HISTORY with=
 * after=}) of every remembered direct conversation, then every request still unanswered, as it was
 * (a SEND with its original id, which the server stores once).
 *
 * <p>{@link #of} is a pure function of the session's state; {@link Reconnector} carries the plan out.
 *
 * @param rejoins one per room, in join order
 * @param catchUps one per direct conversation, least recently seen first
 * @param resends the requests to send again, in the order they were made
 */
record ResumePlan(List<Rejoin> rejoins, List<CatchUp> catchUps, List<Request> resends) {

    /**
     * A room to join again.
     *
     * @param room the canonical room name
     * @param since the last seq delivered or acknowledged, or {@code -1} when none is known (the server
     *     then replays its recent messages, as for a first join)
     * @param request the application's JOIN of this room that is still unanswered (it is answered by
     *     the rejoin), or {@code null}: the rejoin is then the session's own request
     */
    record Rejoin(String room, long since, Request request) {
    }

    /**
     * A direct conversation to read from its cursor.
     *
     * @param peer the other user, as the server first named them
     * @param after the last seq delivered or acknowledged
     */
    record CatchUp(String peer, long after) {
    }

    /**
     * The plan for the session's state.
     *
     * @param rooms every room the session is in or joining, with its cursor ({@code -1}: unknown), in
     *     join order
     * @param pending the requests still unanswered, in the order they were made (catch-ups of the
     *     connection that ended are not resent: new ones start from where each conversation stands)
     * @param directs the direct conversations to catch up on, with their cursors
     *
     * <p>An unanswered JOIN is answered by its room's rejoin. One for a room the session has left
     * since (a PART after it) is not sent again: it would undo the PART; it times out.
     */
    static ResumePlan of(Map<String, Long> rooms, Collection<Request> pending, Map<String, Long> directs) {
        Map<String, Request> joins = new LinkedHashMap<>();
        List<Request> resends = new ArrayList<>();
        for (Request r : pending) {
            if (r.kind == Request.Kind.JOIN) {
                joins.put(r.room, r);
            } else if (!r.isCatchUp()) {
                resends.add(r);
            }
        }
        List<Rejoin> rejoins = new ArrayList<>();
        rooms.forEach((room, last) -> rejoins.add(new Rejoin(room, last, joins.get(room))));
        List<CatchUp> catchUps = new ArrayList<>();
        directs.forEach((peer, last) -> catchUps.add(new CatchUp(peer, last)));
        return new ResumePlan(List.copyOf(rejoins), List.copyOf(catchUps), List.copyOf(resends));
    }
}
