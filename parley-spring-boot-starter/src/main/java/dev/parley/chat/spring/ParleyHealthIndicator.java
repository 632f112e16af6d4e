package dev.parley.chat.spring;

import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.ServerStats;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * {@code /actuator/health/parley}: UP while the chat server runs, with its connections, rooms, users
 * and addresses; DOWN before it starts and once it is closed.
 */
public class ParleyHealthIndicator extends AbstractHealthIndicator {
    private final ChatServer server;

    public ParleyHealthIndicator(ChatServer server) {
        super("Parley health check failed");
        this.server = server;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!server.isRunning()) {
            builder.down().withDetail("state", "stopped");
            return;
        }
        ServerStats stats = server.stats();
        builder.up()
                .withDetail("connections", stats.connections())
                .withDetail("rooms", stats.rooms())
                .withDetail("users", stats.users())
                .withDetail("addresses", server.addresses().stream().map(Object::toString).toList());
    }
}
