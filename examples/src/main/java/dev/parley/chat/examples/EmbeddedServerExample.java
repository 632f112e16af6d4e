package dev.parley.chat.examples;

import dev.parley.chat.client.ChatClient;
import dev.parley.chat.client.ChatListener;
import dev.parley.chat.client.ChatSession;
import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.store.memory.InMemoryMessageStore;

/**
 * Embedding a chat server in an application. The server listens on TCP for people (the terminal
 * client, or {@code nc localhost 7878}) and on an in-memory transport for the application's own
 * client: a bot that welcomes everyone who joins the lobby.
 *
 * <pre>EmbeddedServerExample [PORT]</pre>
 */
public final class EmbeddedServerExample {
    private EmbeddedServerExample() {
    }

    /** Runs until Enter is pressed (or stdin ends). */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7878;
        InMemoryTransport inProcess = InMemoryTransport.create();
        try (InMemoryMessageStore store = InMemoryMessageStore.create();
             ChatServer server = ChatServer.builder()
                     .listen(TcpTransport.port(port))     // for people
                     .listen(inProcess)                   // for this application: no socket
                     .store(store)
                     .build()
                     .start()) {
            Greeter greeter = new Greeter();
            try (ChatSession bot = ChatClient.builder().connector(inProcess).name("greeter").listener(greeter).build().connect()) {
                greeter.bot = bot;
                bot.join("lobby").join();
                System.out.println("listening on port " + server.port() + "; press Enter to stop");
                System.in.read();
            }
        }
    }

    /** Says welcome to everyone who joins a room the bot is in. Runs on the bot's event thread. */
    private static final class Greeter implements ChatListener {
        volatile ChatSession bot;

        @Override
        public void onJoined(String room, String name) {
            bot.send(room, "Welcome to " + room + ", " + name + "!");
        }
    }
}
