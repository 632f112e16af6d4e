package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of a doorbell notification: a first line {@code v1 SENDER}, then one line per announcement,
 * {@code m|p|k TAB from TAB to TAB key} (the key last: a direct conversation's key has a space). A
 * payload stays under PostgreSQL's limit of 8,000 bytes; a batch that does not fit is split.
 */
final class Payloads {
    /** Under NOTIFY's 8,000-byte limit, with room to spare. */
    static final int MAX_BYTES = 7_800;

    private Payloads() {
    }

    /** What one received payload said. */
    record Decoded(String sender, List<Announcement> announcements) {
    }

    /**
     * Merges a batch (ranges of the same key and kind become one, from the lowest to the highest;
     * repeated kicks one) and encodes it into as few payloads as fit.
     */
    static List<String> encode(String sender, List<Announcement> batch) {
        Map<String, Announcement> merged = new LinkedHashMap<>();
        for (Announcement a : batch) {
            merged.merge(a.kind() + "\t" + a.key(), a, (x, y) -> x.kind() == Announcement.Kind.KICK ? x
                    : new Announcement(x.kind(), x.key(), Math.min(x.from(), y.from()), Math.max(x.to(), y.to())));
        }
        String header = "v1 " + sender + "\n";
        List<String> payloads = new ArrayList<>();
        StringBuilder current = new StringBuilder(header);
        int bytes = utf8(header);
        for (Announcement a : merged.values()) {
            String line = code(a.kind()) + "\t" + a.from() + "\t" + a.to() + "\t" + a.key() + "\n";
            int size = utf8(line);
            if (bytes + size > MAX_BYTES && current.length() > header.length()) {
                payloads.add(current.toString());
                current = new StringBuilder(header);
                bytes = utf8(header);
            }
            current.append(line);
            bytes += size;
        }
        if (current.length() > header.length()) {
            payloads.add(current.toString());
        }
        return payloads;
    }

    /** Decodes a payload; lines it does not understand (a newer version's) are skipped. */
    static Decoded decode(String payload) {
        String[] lines = payload.split("\n");
        if (lines.length == 0 || !lines[0].startsWith("v1 ")) {
            return new Decoded("", List.of());
        }
        List<Announcement> out = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\t", 4);
            if (f.length != 4) {
                continue;
            }
            try {
                Announcement.Kind kind = switch (f[0]) {
                    case "m" -> Announcement.Kind.MESSAGES;
                    case "p" -> Announcement.Kind.PRESENCE;
                    case "k" -> Announcement.Kind.KICK;
                    default -> null;
                };
                if (kind != null) {
                    out.add(new Announcement(kind, f[3], Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            } catch (IllegalArgumentException e) {
                // a malformed line: skip it (the safety poll covers whatever it meant)
            }
        }
        return new Decoded(lines[0].substring(3), out);
    }

    private static String code(Announcement.Kind kind) {
        return switch (kind) {
            case MESSAGES -> "m";
            case PRESENCE -> "p";
            case KICK -> "k";
        };
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
