package dev.parley.chat.store.jdbc;

import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.tck.MessageStoreContractTest;

import java.util.IdentityHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The store TCK on one database: each store gets tables with a fresh prefix, dropped when the store is
 * disposed. Subclasses say which database and may tune the builder.
 */
abstract class JdbcContractTestSupport extends MessageStoreContractTest {
    private final Map<MessageStore, String> prefixes = new IdentityHashMap<>();

    /** The database for this class (cached by the subclass). */
    abstract TestDataSource dataSource();

    /** The builder every store of this class starts from. */
    JdbcMessageStore.Builder builder() {
        return JdbcMessageStore.builder(dataSource());
    }

    @Override
    protected MessageStore createStore() {
        String prefix = Databases.freshPrefix();
        JdbcMessageStore store = builder().tablePrefix(prefix).build();
        prefixes.put(store, prefix);
        return store;
    }

    @Override
    protected MessageStore createStoreWithRetention(int maxMessagesPerConversation) {
        String prefix = Databases.freshPrefix();
        JdbcMessageStore store = builder().tablePrefix(prefix).retention(maxMessagesPerConversation).build();
        prefixes.put(store, prefix);
        return store;
    }

    @Override
    protected void applyRetention(MessageStore store) {
        ((JdbcMessageStore) store).purgeNow();
    }

    @Override
    protected void disposeStore(MessageStore store) {
        store.close();
        String prefix = prefixes.remove(store);
        if (prefix != null) {
            Databases.dropTables(dataSource(), prefix);
        }
        if (prefixes.isEmpty()) {
            assertEquals(0, dataSource().lent(), "connections lent and not given back after close()");
        }
    }
}
