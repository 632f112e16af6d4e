/**
 * Parley's contract: the wire protocol codec ({@code dev.parley.chat.protocol}) and the plug-in points
 * that others implement ({@code dev.parley.chat.store}, {@code dev.parley.chat.transport}).
 * No I/O and no dependencies beyond the JDK.
 */
module dev.parley.chat.api {
    exports dev.parley.chat;
    exports dev.parley.chat.protocol;
    exports dev.parley.chat.store;
    exports dev.parley.chat.transport;
}
