package dev.parley.chat.store.tck;

import dev.parley.chat.store.MessageStore;

/** The whole contract, on the plainest correct store: the kit must pass what keeps the contract. */
class ReferenceStoreContractTest extends MessageStoreContractTest {
    @Override
    protected MessageStore createStore() {
        return new ReferenceStore(ReferenceStore.Flaw.NONE);
    }
}
