package dev.parley.chat.store.jdbc.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SearchPathTest {

    @Test
    void firstEntryIsResolvedAsPostgresqlDoes() {
        assertEquals("$user", SearchPath.first("\"$user\", public"));
        assertEquals("clustera", SearchPath.first("ClusterA"));
        assertEquals("clustera", SearchPath.first(" ClusterA , public"));
        assertEquals("Chat A", SearchPath.first("\"Chat A\", public"));
        assertEquals("say \"hi\"", SearchPath.first("\"say \"\"hi\"\"\""));
        assertEquals("public", SearchPath.first("public"));
        assertNull(SearchPath.first(""));
        assertNull(SearchPath.first(null));
    }
}
