package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.server.spi.Presence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Names in {@link LocalPresence}: unique by confusable key, shared by one identity's connections. */
@Timeout(10)
class LocalPresenceTest {
    private final LocalPresence presence = new LocalPresence();

    @ParameterizedTest
    @CsvSource({
        "Straße,strasse,STRASSE,strasse", // full case folding
        "ace,ace,асе,асе", // Cyrillic look-alike (skeleton of the canonical form)
        "асе,асе,ACE,ace", // the other way round, and across case
        "Ian,ian,lan,lan", // skeleton as written
        "alice,alice,ＡＬＩＣＥ,alice",
    })
    void lookAlikesOfANameOnlineAreTaken(String first, String firstCanonical, String second, String secondCanonical) {
        assertTrue(presence.claimName(first, firstCanonical, firstCanonical + "~a", 1));
        assertFalse(presence.claimName(second, secondCanonical, secondCanonical + "~b", 2));
        assertNull(presence.holder(secondCanonical.equals(firstCanonical) ? "nobody" : secondCanonical));
        presence.releaseName(firstCanonical, 1);
        assertTrue(presence.claimName(second, secondCanonical, secondCanonical + "~b", 2), "free once released");
        assertFalse(presence.claimName(first, firstCanonical, firstCanonical + "~a", 1));
    }

    @Test
    void oneIdentitySharesItsNameAndTheHolderNamesIt() {
        assertTrue(presence.claimName("Ritam", "ritam", "ritam", 1));
        assertTrue(presence.claimName("ritam", "ritam", "ritam", 2), "an authenticated identity, twice");
        assertFalse(presence.claimName("RITAM", "ritam", "ritam~x", 3), "another identity");
        assertEquals(new Presence.Holder("Ritam", "ritam"), presence.holder("ritam"));
        presence.releaseName("ritam", 1);
        assertEquals(new Presence.Holder("Ritam", "ritam"), presence.holder("ritam"), "still held by 2");
        presence.releaseName("ritam", 2);
        assertNull(presence.holder("ritam"));
        assertTrue(presence.claimName("RITAM", "ritam", "ritam~x", 3));
        assertEquals(new Presence.Holder("RITAM", "ritam~x"), presence.holder("ritam"));
    }

    @Test
    void aNameHeldByManyConnectionsIsFreeOnlyWhenTheLastLetsGo() {
        for (long id = 1; id <= 5; id++) {
            assertTrue(presence.claimName("ritam", "ritam", "ritam", id));
        }
        assertTrue(presence.claimName("ritam", "ritam", "ritam", 3), "the same connection again");
        presence.releaseName("ritam", 3);
        presence.releaseName("ritam", 3); // a second release of one connection changes nothing
        presence.releaseName("ritam", 1);
        presence.releaseName("ritam", 5);
        presence.releaseName("ritam", 2);
        assertEquals(new Presence.Holder("ritam", "ritam"), presence.holder("ritam"), "still held by 4");
        presence.releaseName("ritam", 4);
        assertNull(presence.holder("ritam"));
    }
}
