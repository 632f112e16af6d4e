package dev.parley.chat.examples.spring;

import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.ConnectionInfo;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.server.ServerListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with Parley inside, configured by application.properties alone: the chat
 * page at {@code http://localhost:8080/} and its WebSocket at {@code /chat} on the application's own
 * port, raw TCP clients on 7878, history in the application's DataSource (H2 in ./parley-data),
 * Parley's meters at {@code /actuator/metrics} and its state at {@code /actuator/health}. The one bean
 * here is the application's own {@link ServerListener}, which the starter picks up.
 *
 * <p>Run it: {@code mvn -q -pl examples-spring -am test-compile -Drun=spring}.
 */
@SpringBootApplication
public class ChatApplication {
    private static final Logger log = LoggerFactory.getLogger(ChatApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(ChatApplication.class, args);
    }

    /** Logs who comes and goes; any ServerListener bean is given to the server. */
    @Bean
    ServerListener presenceLog() {
        return new ServerListener() {
            @Override
            public void joined(String room, String name) {
                log.info("{} joined {}", name, room);
            }

            @Override
            public void disconnected(ConnectionInfo connection, DisconnectReason reason) {
                log.info("{} left ({}, {})", connection.name(), connection.transport(), reason.wireName());
            }
        };
    }

    /** The server is a bean too (post, kick, rooms, stats): here it says where it listens once the application runs. */
    @Bean
    ApplicationRunner announce(ChatServer server) {
        return args -> log.info("Parley chat server on {}; the chat page is at / on the application's port",
                server.addresses());
    }
}
