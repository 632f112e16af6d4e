package dev.parley.chat.store.memory;

import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.tck.MessageStoreContractTest;

/** The store TCK against {@link InMemoryMessageStore}. */
class InMemoryMessageStoreContractTest extends MessageStoreContractTest {
    @Override
    protected MessageStore createStore() {
        return InMemoryMessageStore.create();
    }

    @Override
    protected MessageStore createStoreWithRetention(int maxMessagesPerConversation) {
        return InMemoryMessageStore.withRetention(maxMessagesPerConversation);
    }
}
