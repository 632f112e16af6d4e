package dev.parley.chat.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 at QoS 0: CONNECT (clean session, keep-alive off), SUBSCRIBE, PUBLISH. The subscription is
 * confirmed by SUBACK; a publication by its own echo (MQTT 3.1.1 delivers to a subscribed publisher),
 * since QoS 0 has no acknowledgement.
 */
public final class MqttWire implements Wire {
    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int SUBSCRIBE = 8;
    static final int SUBACK = 9;
    static final int PINGRESP = 13;

    @Override
    public String name() {
        return "mosquitto";
    }

    @Override
    public void hello(String clientName, String room, Buf out) {
        byte[] id = clientName.getBytes(StandardCharsets.UTF_8);
        // Variable header: protocol name "MQTT", level 4, flags (clean session), keep-alive 0 (off).
        int remaining = 2 + 4 + 1 + 1 + 2 + 2 + id.length;
        out.put((byte) (CONNECT << 4)).varint(remaining)
                .u16(4).ascii("MQTT").put((byte) 4).put((byte) 0x02).u16(0)
                .u16(id.length).put(id);
        byte[] topic = room.getBytes(StandardCharsets.UTF_8);
        out.put((byte) (SUBSCRIBE << 4 | 0x02)).varint(2 + 2 + topic.length + 1)
                .u16(1).u16(topic.length).put(topic).put((byte) 0);
    }

    @Override
    public void publish(String room, byte[] payload, Buf out) {
        int topicLength = room.length();
        out.put((byte) (PUBLISH << 4)).varint(2 + topicLength + payload.length)
                .u16(topicLength).ascii(room).put(payload);
    }

    @Override
    public boolean confirmsByEcho() {
        return true;
    }

    @Override
    public int parse(Client c, byte[] b, int off, int end, Events ev) {
        int s = off;
        while (end - s >= 2) {
            int header = b[s] & 0xFF;
            int remaining = 0;
            int multiplier = 1;
            int p = s + 1;
            while (true) {
                if (p >= end) {
                    return s;
                }
                int digit = b[p++] & 0xFF;
                remaining += (digit & 0x7F) * multiplier;
                if ((digit & 0x80) == 0) {
                    break;
                }
                multiplier *= 128;
                if (multiplier > 128 * 128 * 128) {
                    ev.serverError(c, "malformed MQTT remaining length");
                    return end;
                }
            }
            if (p + remaining > end) {
                return s;
            }
            int type = header >>> 4;
            switch (type) {
                case PUBLISH -> {
                    int topicLength = (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
                    int data = p + 2 + topicLength;
                    int qos = (header >>> 1) & 3;
                    if (qos > 0) {
                        data += 2; // packet identifier
                    }
                    ev.message(c, b, data, p + remaining - data);
                }
                case CONNACK -> {
                    if (remaining >= 2 && b[p + 1] != 0) {
                        ev.serverError(c, "CONNACK refused, return code " + b[p + 1]);
                    }
                }
                case SUBACK -> {
                    if (remaining >= 3 && (b[p + 2] & 0xFF) == 0x80) {
                        ev.serverError(c, "SUBACK failure");
                    } else {
                        ev.ready(c);
                    }
                }
                default -> {
                    // PINGRESP and others: nothing to do.
                }
            }
            s = p + remaining;
        }
        return s;
    }
}
