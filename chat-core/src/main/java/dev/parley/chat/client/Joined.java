package dev.parley.chat.client;

/**
 * The answer to a join: the session is a member of the room.
 *
 * @param room the room's canonical (lower-case) name
 * @param head the highest seq of the room when it was joined (0 for a room without messages); the
 *     replayed messages, delivered to {@link ChatListener#onMessage} right after, end at this seq
 */
public record Joined(String room, long head) {
}
