package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadsTest {

    @Test
    void aBatchIsMergedPerKeyAndComesBackAsSent() {
        List<String> payloads = Payloads.encode("s1", List.of(
                Announcement.messages("#lobby", 3, 3),
                Announcement.messages("@ann bob", 1, 1),
                Announcement.messages("#lobby", 4, 6),
                Announcement.presence("lobby", 2, 2),
                Announcement.kick("bob"),
                Announcement.kick("bob"),
                Announcement.messages("#lobby", 1, 2)));
        assertEquals(1, payloads.size());
        Payloads.Decoded d = Payloads.decode(payloads.get(0));
        assertEquals("s1", d.sender());
        assertEquals(List.of(Announcement.messages("#lobby", 1, 6), Announcement.messages("@ann bob", 1, 1),
                Announcement.presence("lobby", 2, 2), Announcement.kick("bob")), d.announcements());
    }

    @Test
    void aLargeBatchIsSplitUnderTheNotifyLimit() {
        List<Announcement> batch = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            batch.add(Announcement.messages("#room-with-a-rather-long-name-" + i, i + 1, i + 10));
        }
        List<String> payloads = Payloads.encode("sender", batch);
        assertTrue(payloads.size() > 1);
        List<Announcement> back = new ArrayList<>();
        for (String p : payloads) {
            assertTrue(p.getBytes(StandardCharsets.UTF_8).length < 8_000, "under NOTIFY's 8000 bytes");
            back.addAll(Payloads.decode(p).announcements());
        }
        assertEquals(batch, back);
    }

    @Test
    void whatIsNotUnderstoodIsSkipped() {
        Payloads.Decoded d = Payloads.decode("v1 x\nm\t1\t2\t#a\nz\t1\t1\tfuture\nm\tone\t2\t#b\nm\t2\t1\t#c\nbroken\n");
        assertEquals(List.of(Announcement.messages("#a", 1, 2)), d.announcements());
        assertEquals(List.of(), Payloads.decode("v2 y\nm\t1\t2\t#a").announcements());
    }
}
