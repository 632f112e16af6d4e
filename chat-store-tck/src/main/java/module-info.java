/** The MessageStore contract test kit. */
module dev.parley.chat.store.tck {
    requires transitive dev.parley.chat.api;
    requires transitive org.junit.jupiter.api;
}
