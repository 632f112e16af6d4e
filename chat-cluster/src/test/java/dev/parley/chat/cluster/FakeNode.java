package dev.parley.chat.cluster;

import dev.parley.chat.server.spi.Node;
import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.StoredMessage;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A server stand-in that records what the cluster tells it. */
final class FakeNode implements Node {
    /** {@code conversation from..to} per doorbell. */
    final BlockingQueue<String> stored = new LinkedBlockingQueue<>();
    final BlockingQueue<PresenceEvent> presence = new LinkedBlockingQueue<>();
    final BlockingQueue<String> kicks = new LinkedBlockingQueue<>();
    final BlockingQueue<String> fences = new LinkedBlockingQueue<>();
    final BlockingQueue<String> unfences = new LinkedBlockingQueue<>();
    private final AtomicBoolean fenced = new AtomicBoolean();

    @Override
    public void messagesStored(String conversation, long fromSeq, long toSeq) {
        stored.add(conversation + " " + fromSeq + ".." + toSeq);
    }

    @Override
    public void messageStored(StoredMessage message) {
        stored.add(message.conversation() + " " + message.seq() + ".." + message.seq());
    }

    @Override
    public void presenceChanged(PresenceEvent event) {
        presence.add(event);
    }

    @Override
    public int kick(String canonicalName) {
        kicks.add(canonicalName);
        return 0;
    }

    @Override
    public void fence(String reason) {
        fenced.set(true);
        fences.add(reason);
    }

    @Override
    public void unfence() {
        fenced.set(false);
        unfences.add("unfenced");
    }

    @Override
    public boolean fenced() {
        return fenced.get();
    }

    static <T> T next(BlockingQueue<T> q) throws InterruptedException {
        T t = q.poll(30, TimeUnit.SECONDS);
        assertNotNull(t, "nothing arrived within 30 s");
        return t;
    }
}
