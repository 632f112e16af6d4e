package dev.parley.chat.client;

import java.time.Instant;

/**
 * The server's acknowledgement of a sent message: it is stored and has been delivered.
 *
 * @param room the room it was sent to, or {@code null} for a direct message
 * @param to the recipient of a direct message, or {@code null} for a room message
 * @param seq the message's number in its conversation
 * @param time the server's clock when it accepted the message
 * @param id the client id the message was sent with (the same on every resend)
 */
public record Ack(String room, String to, long seq, Instant time, String id) {
}
