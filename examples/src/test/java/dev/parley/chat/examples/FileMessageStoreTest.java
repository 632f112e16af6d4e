package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import dev.parley.chat.store.tck.MessageStoreContractTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example store keeps every promise of the store contract, and what it wrote survives a reopen. */
class FileMessageStoreTest extends MessageStoreContractTest {
    @TempDir
    Path dir;
    private int stores;

    @Override
    protected MessageStore createStore() {
        return FileMessageStore.open(dir.resolve("store-" + (++stores) + ".log"));
    }

    @Test
    void messagesSurviveAReopenAndATornLastLineIsDropped() throws Exception {
        Path file = dir.resolve("reopen.log");
        StoredMessage first;
        try (FileMessageStore store = FileMessageStore.open(file)) {
            first = store.append(List.of(new NewMessage("#lobby", "Souvik", "hello\tthere\nfriend \\o/", T0, "id-1")))
                    .get(0).message();
            store.append(List.of(new NewMessage("@ritam souvik", "Ritam", "psst", T0, null)));
        }
        // A crash in the middle of writing leaves a line without its LF.
        Files.writeString(file, "3\t#lobby\tSouvik\t2026-11-23T10:00", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (FileMessageStore store = FileMessageStore.open(file)) {
            assertEquals(List.of(first), store.readAfter("#lobby", 0, 10));
            assertEquals(Optional.of(first), store.findByClientId("#lobby", "Souvik", "id-1"));
            assertEquals(List.of("#lobby", "@ritam souvik"), store.conversations());
            assertEquals(2, store.append(List.of(new NewMessage("#lobby", "Ritam", "next", T0, null))).get(0).message().seq());
        }
        assertTrue(Files.readString(file).endsWith("\tnext\n"));
    }
}
