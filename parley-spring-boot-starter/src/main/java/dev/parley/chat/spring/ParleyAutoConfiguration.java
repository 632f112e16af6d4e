package dev.parley.chat.spring;

import dev.parley.chat.jakarta.JakartaWebSocketTransport;
import dev.parley.chat.micrometer.ParleyMetrics;
import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.server.AccessPolicy;
import dev.parley.chat.server.Authenticator;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.MessageFilter;
import dev.parley.chat.server.ServerListener;
import dev.parley.chat.server.ServerMetrics;
import dev.parley.chat.server.spi.Cluster;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.transport.Transport;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Parley in a Spring Boot application: a {@link ChatServer} built from {@code parley.*}
 * ({@link ParleyProperties}), listening on a TCP port and, in a servlet application with Jakarta
 * WebSocket, on the application's own port ({@code parley.websocket.path}, chat page at {@code /});
 * history in the application's {@code DataSource} when there is one; the application's
 * {@link Authenticator}, {@link MessageFilter}, {@link AccessPolicy}, {@link ServerListener}, {@link Cluster} and extra
 * {@link Transport} beans;
 * {@link ParleyServerCustomizer}s for the rest; Micrometer meters and
 * a health indicator when those are present; started and closed with the context
 * ({@link ParleyServerLifecycle}). Every bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration", // Boot 3
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"}) // Boot 4
@ConditionalOnClass(ChatServer.class)
@ConditionalOnProperty(prefix = "parley", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ParleyProperties.class)
public class ParleyAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(ParleyAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public MessageStore parleyMessageStore(ParleyProperties properties, ObjectProvider<DataSource> dataSources) {
        ParleyStoreProperties.Type type = properties.getStore().getType();
        DataSource dataSource = type == ParleyStoreProperties.Type.MEMORY ? null : dataSources.getIfUnique();
        if (dataSource == null) {
            if (type == ParleyStoreProperties.Type.JDBC) {
                throw new IllegalStateException("parley.store.type=jdbc but the application has no (unique) DataSource");
            }
            log.info("Parley keeps history in memory (no DataSource, or parley.store.type=memory)");
            return InMemoryMessageStore.create();
        }
        ParleyStoreProperties.Jdbc jdbc = properties.getStore().getJdbc();
        JdbcMessageStore.Builder b = JdbcMessageStore.builder(dataSource)
                .tablePrefix(jdbc.getTablePrefix())
                .schemaMode(jdbc.getSchemaMode())
                .retention(jdbc.getRetentionMessages())
                .retentionInterval(jdbc.getRetentionInterval())
                .headCacheSize(jdbc.getHeadCacheSize())
                .queryTimeout(jdbc.getQueryTimeout());
        if (jdbc.isGroupCommit()) {
            b.groupCommit(jdbc.getMaxBatch(), jdbc.getMaxWait());
        } else {
            b.groupCommit(false);
        }
        if (jdbc.getRetentionAge() != null) {
            b.retention(jdbc.getRetentionAge());
        }
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    public ChatServer parleyChatServer(ParleyProperties p, MessageStore store,
            ObjectProvider<Authenticator> authenticator, ObjectProvider<MessageFilter> filter,
            ObjectProvider<ServerListener> listeners, ObjectProvider<ServerMetrics> metrics,
            ObjectProvider<Transport> transports, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<Cluster> cluster, ObjectProvider<ParleyServerCustomizer> customizers,
            ObjectProvider<AccessPolicy> accessPolicy) {
        ChatServer.Builder b = ChatServer.builder()
                .store(store)
                .listenerQueueSize(p.getListenerQueueSize())
                .maxConnections(p.getMaxConnections())
                .maxConnectionsPerAddress(p.getMaxConnectionsPerAddress())
                .handshakeTimeout(p.getHandshakeTimeout())
                .pingInterval(p.getPingInterval())
                .pingTimeout(p.getPingTimeout())
                .maxRoomsPerConnection(p.getMaxRoomsPerConnection())
                .newRoomLimit(p.getNewRoomLimit().getPerMinute(), p.getNewRoomLimit().getBurst())
                .roomsPageSize(p.getRoomsPageSize())
                .maxLineLength(p.getMaxLineLength())
                .maxDiscardedLine(p.getMaxDiscardedLine())
                .maxTextLength(p.getMaxTextLength())
                .rateLimit(p.getRateLimit().getFramesPerSecond(), p.getRateLimit().getBurst())
                .floodLimit(p.getFloodLimit().getRefusedFrames(), p.getFloodLimit().getWindow())
                .outboundQueueBytes(p.getOutboundQueueBytes())
                .writeTimeout(p.getWriteTimeout())
                .directWriteMaxRecipients(p.getDirectWriteMaxRecipients())
                .joinReplay(p.getJoinReplay())
                .maxReplay(p.getMaxReplay())
                .maxHistoryLimit(p.getMaxHistoryLimit())
                .drainTimeout(p.getDrainTimeout());
        if (p.getResumeSecret() != null) {
            b.resumeSecret(p.getResumeSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        ParleyProperties.Tcp tcp = p.getTcp();
        if (tcp.isEnabled()) {
            TcpTransport.Builder t = TcpTransport.builder().port(tcp.getPort()).handshakeTimeout(tcp.getHandshakeTimeout());
            if (tcp.getHost() != null) {
                t.host(tcp.getHost());
            }
            if (tcp.getSslBundle() != null) {
                SslBundles bundles = sslBundles.getIfAvailable();
                if (bundles == null) {
                    throw new IllegalStateException("parley.tcp.ssl-bundle is set but the application has no SslBundles");
                }
                t.tls(bundles.getBundle(tcp.getSslBundle()).createSslContext());
            }
            b.listen(t.build());
        }
        transports.orderedStream().forEach(b::listen); // the WebSocket endpoint, and any the application adds
        authenticator.ifUnique(b::authenticator);
        filter.ifUnique(b::messageFilter);
        accessPolicy.ifUnique(b::accessPolicy);
        List<ServerListener> all = listeners.orderedStream().toList();
        if (all.size() == 1) {
            b.listener(all.get(0));
        } else if (!all.isEmpty()) {
            b.listener(new CompositeServerListener(all));
        }
        metrics.ifUnique(b::metrics);
        cluster.ifUnique(b::cluster);
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    public ParleyServerLifecycle parleyServerLifecycle(ChatServer server) {
        return new ParleyServerLifecycle(server);
    }

    /** The WebSocket endpoint and page on the application's own port. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = {"jakarta.websocket.server.ServerContainer", "jakarta.servlet.ServletContext",
            "org.springframework.boot.web.servlet.ServletContextInitializer"})
    @ConditionalOnProperty(prefix = "parley.websocket", name = "enabled", matchIfMissing = true)
    static class WebSocketConfiguration {

        @Bean
        @ConditionalOnMissingBean
        JakartaWebSocketTransport parleyWebSocketTransport(ParleyProperties properties) {
            ParleyProperties.Websocket ws = properties.getWebsocket();
            return JakartaWebSocketTransport.builder()
                    .path(ws.getPath())
                    .servePage(ws.isPage())
                    .allowedOrigins(ws.getAllowedOrigins())
                    .maxMessageSize(ws.getMaxMessageSize())
                    .inboxMessages(ws.getInboxMessages())
                    .idleTimeout(ws.getIdleTimeout())
                    .build();
        }

        @Bean
        ParleyWebSocketRegistrar parleyWebSocketRegistrar(JakartaWebSocketTransport transport) {
            return new ParleyWebSocketRegistrar(transport);
        }
    }

    /** Meters, when Micrometer is on the class path (Spring Boot binds every MeterBinder bean). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    @ConditionalOnProperty(prefix = "parley.metrics", name = "enabled", matchIfMissing = true)
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(ServerMetrics.class)
        ParleyMetrics parleyMetrics() {
            return new ParleyMetrics();
        }
    }

    /** {@code /actuator/health/parley} (Spring Boot 4's health module). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
    static class Boot4HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "parleyHealthIndicator")
        ParleyBoot4HealthIndicator parleyHealthIndicator(ChatServer server) {
            return new ParleyBoot4HealthIndicator(server);
        }
    }

    /** {@code /actuator/health/parley} (Spring Boot 3's actuator). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.AbstractHealthIndicator")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "parleyHealthIndicator")
        ParleyHealthIndicator parleyHealthIndicator(ChatServer server) {
            return new ParleyHealthIndicator(server);
        }
    }
}
