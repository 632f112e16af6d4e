package dev.parley.chat.spring;

import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.ServerStats;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@link ParleyHealthIndicator} for Spring Boot 4, whose health API moved to
 * {@code org.springframework.boot.health.contributor}: the same states and details.
 */
public class ParleyBoot4HealthIndicator extends AbstractHealthIndicator {
    private final ChatServer server;

    public ParleyBoot4HealthIndicator(ChatServer server) {
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
