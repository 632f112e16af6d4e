/**
 * The MessageStore contract test kit: extend {@code dev.parley.chat.store.tck.MessageStoreContractTest}
 * to check a store against every promise of the {@code MessageStore} SPI.
 */
module dev.parley.chat.store.tck {
    requires transitive dev.parley.chat.api;
    requires transitive org.junit.jupiter.api;

    exports dev.parley.chat.store.tck;
}
