package dev.parley.chat.client;

/**
 * One room of the server, as listed by {@link ChatSession#rooms()}.
 *
 * @param name the room's canonical name
 * @param members how many people are in it
 */
public record RoomInfo(String name, int members) {
}
