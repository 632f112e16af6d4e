package dev.parley.chat.client;

import dev.parley.chat.protocol.ProtocolException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records every callback as a line of text, with the thread it ran on. */
final class RecordingListener implements ChatListener {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final BlockingQueue<String> threads = new LinkedBlockingQueue<>();

    private void add(String event) {
        threads.add(Thread.currentThread().getName());
        events.add(event);
    }

    /** The next event, waiting up to five seconds; fails if none comes. */
    String next() throws InterruptedException {
        String e = events.poll(5, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within 5 s");
        }
        return e;
    }

    /** Skips events until one starting with {@code prefix}; returns it. */
    String nextStartingWith(String prefix) throws InterruptedException {
        while (true) {
            String e = next();
            if (e.startsWith(prefix)) {
                return e;
            }
        }
    }

    @Override
    public void onMessage(ChatMessage m) {
        add("message " + m.room() + " " + m.seq() + " " + m.from() + ": " + m.text());
    }

    @Override
    public void onDirectMessage(ChatMessage m) {
        add("dm " + m.with() + " " + m.seq() + " " + m.from() + ": " + m.text());
    }

    @Override
    public void onJoined(String room, String name) {
        add("joined " + room + " " + name);
    }

    @Override
    public void onLeft(String room, String name, String reason) {
        add("left " + room + " " + name + " " + reason);
    }

    @Override
    public void onGap(String room, long from, long to, String reason) {
        add("gap " + room + " " + from + ".." + to + " " + reason);
    }

    @Override
    public void onDisconnected(String reason) {
        add("disconnected " + reason);
    }

    @Override
    public void onReconnected() {
        add("reconnected");
    }

    @Override
    public void onStateChanged(ChatSession.State from, ChatSession.State to) {
        add("state " + from + "->" + to);
    }

    @Override
    public void onError(ProtocolException error) {
        add("error " + error.code());
    }
}
