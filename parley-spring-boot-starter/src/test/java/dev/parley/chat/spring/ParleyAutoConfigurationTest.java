package dev.parley.chat.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.micrometer.ParleyMetrics;
import dev.parley.chat.server.AccessPolicy;
import dev.parley.chat.server.Authenticator;
import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.ConnectionInfo;
import dev.parley.chat.server.MessageFilter;
import dev.parley.chat.server.ServerListener;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.jdbc.JdbcMessageStore;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** The auto-configuration in plain (non-web) contexts: which beans, from which properties, over a real TCP port. */
@Timeout(60)
class ParleyAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ParleyAutoConfiguration.class))
            .withPropertyValues("parley.tcp.host=127.0.0.1", "parley.tcp.port=0");

    /** Sends lines, reads lines. */
    private static final class Line implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Line(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        String call(String line, String answerPrefix) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String l;
            while ((l = in.readLine()) != null) {
                if (l.startsWith(answerPrefix)) {
                    return l;
                }
            }
            throw new IOException("closed before " + answerPrefix);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void withoutADataSourceHistoryIsInMemoryAndTheServerRunsWithTheContext() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ChatServer.class).hasSingleBean(ParleyServerLifecycle.class)
                    .hasSingleBean(ParleyMetrics.class).hasSingleBean(ParleyHealthIndicator.class)
                    .doesNotHaveBean(ParleyWebSocketRegistrar.class);
            assertThat(context.getBean(MessageStore.class)).isInstanceOf(InMemoryMessageStore.class);
            ChatServer server = context.getBean(ChatServer.class);
            assertTrue(server.isRunning(), "started with the context");
            assertEquals(Status.UP, context.getBean(ParleyHealthIndicator.class).health().getStatus());
            try (Line c = new Line(server.port())) {
                assertThat(c.call("HELLO proto=1 name=ann", "WELCOME")).contains("name=ann");
            }
            ParleyHealthIndicator health = context.getBean(ParleyHealthIndicator.class);
            context.close();
            assertThat(server.isRunning()).isFalse();
            assertEquals(Status.DOWN, health.health().getStatus());
        });
    }

    @Test
    void theResumeSecretPropertyLetsATokenOutliveTheContext() {
        String[] token = new String[1];
        ApplicationContextRunner withSecret = runner.withPropertyValues("parley.resume-secret=0123456789abcdef-not-for-production");
        withSecret.run(context -> {
            try (Line c = new Line(context.getBean(ChatServer.class).port())) {
                String welcome = c.call("HELLO proto=1 name=ann", "WELCOME");
                token[0] = welcome.substring(welcome.indexOf(" resume=") + 8).split(" ")[0];
            }
        });
        withSecret.run(context -> {
            try (Line c = new Line(context.getBean(ChatServer.class).port())) {
                assertThat(c.call("HELLO proto=1 name=ann resume=" + token[0], "WELCOME")).contains("resume=" + token[0]);
            }
        });
        runner.run(context -> {
            try (Line c = new Line(context.getBean(ChatServer.class).port())) {
                assertThat(c.call("HELLO proto=1 name=ann resume=" + token[0], "ERROR")).contains("code=RESUME_REFUSED");
            }
        });
    }

    @Test
    void theApplicationsDataSourceKeepsTheHistory() {
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=jdbc:h2:mem:parley-starter-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1",
                        "parley.store.jdbc.table-prefix=chat_")
                .run(context -> {
                    assertThat(context.getBean(MessageStore.class)).isInstanceOf(JdbcMessageStore.class);
                    ChatServer server = context.getBean(ChatServer.class);
                    server.post("lobby", "system", "kept");
                    assertEquals(1, context.getBean(MessageStore.class).readAfter(dev.parley.chat.store.Conversations.room("lobby"), 0, 10).size());
                });
    }

    @Test
    void propertiesReachTheServerAndApplicationBeansArePickedUp() {
        runner.withUserConfiguration(Hooks.class)
                .withPropertyValues("parley.max-text-length=100", "parley.max-line-length=1024", "parley.join-replay=1")
                .run(context -> {
                    ChatServer server = context.getBean(ChatServer.class);
                    server.post("lobby", "system", "one");
                    server.post("lobby", "system", "two");
                    try (Line c = new Line(server.port())) {
                        String welcome = c.call("HELLO proto=1 name=ann", "WELCOME");
                        assertThat(welcome).contains("max-text=100").contains("max-line=1024");
                        assertThat(c.call("JOIN room=lobby", "MSG")).endsWith(":two");
                        assertThat(c.call("SEND room=lobby ref=1 :hello", "ACK")).contains("ref=1");
                        assertThat(c.call("HISTORY room=lobby limit=1 ref=h", "MSG")).endsWith(":HELLO");
                        assertThat(c.call("JOIN room=secret ref=s", "ERROR")).contains("code=FORBIDDEN");
                    }
                    try (Line c = new Line(server.port())) {
                        assertThat(c.call("HELLO proto=1 name=mallory", "ERROR")).contains("code=AUTH_FAILED");
                    }
                    Hooks hooks = context.getBean(Hooks.class);
                    assertEquals("first:ann", hooks.events.poll(10, TimeUnit.SECONDS));
                    assertEquals("second:ann", hooks.events.poll(10, TimeUnit.SECONDS), "both listeners, in @Order");
                });
    }

    @Test
    void partsTurnOff() {
        runner.withPropertyValues("parley.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ChatServer.class));
        runner.withPropertyValues("parley.metrics.enabled=false", "parley.store.type=memory")
                .run(context -> assertThat(context).hasSingleBean(ChatServer.class).doesNotHaveBean(ParleyMetrics.class));
        runner.withPropertyValues("parley.store.type=jdbc")
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void theApplicationsOwnServerWins() {
        runner.withUserConfiguration(OwnServer.class).run(context -> {
            assertThat(context).hasSingleBean(ChatServer.class);
            assertThat(context.getBean(ChatServer.class)).isSameAs(context.getBean(OwnServer.class).server);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Hooks {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Bean
        Authenticator noMallory() {
            return r -> r.name().equals("mallory") ? Authenticator.Result.reject("not you")
                    : Authenticator.Result.anonymous(r.name());
        }

        @Bean
        AccessPolicy noSecrets() {
            return (who, action, room) -> !room.equals("secret");
        }

        @Bean
        MessageFilter shout() {
            return m -> MessageFilter.Verdict.rewrite(m.text().toUpperCase(java.util.Locale.ROOT));
        }

        @Bean
        @Order(2)
        ServerListener second() {
            return new ServerListener() {
                @Override
                public void registered(ConnectionInfo c) {
                    events.add("second:" + c.name());
                }
            };
        }

        @Bean
        @Order(1)
        ServerListener first() {
            return new ServerListener() {
                @Override
                public void registered(ConnectionInfo c) {
                    events.add("first:" + c.name());
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnServer {
        final ChatServer server = ChatServer.builder()
                .listen(dev.parley.chat.net.InMemoryTransport.create())
                .store(InMemoryMessageStore.create())
                .build();

        @Bean
        ChatServer myServer() {
            return server;
        }
    }

    @Test
    void everyBuilderSettingHasAProperty() {
        List<String> properties = java.util.Arrays.stream(ParleyProperties.class.getMethods())
                .filter(m -> m.getName().startsWith("set")).map(m -> m.getName().substring(3).toLowerCase(java.util.Locale.ROOT))
                .toList();
        List<String> nested = List.of("ratelimit", "floodlimit", "newroomlimit");
        for (java.lang.reflect.Method m : ChatServer.Builder.class.getDeclaredMethods()) {
            String name = m.getName().toLowerCase(java.util.Locale.ROOT);
            if (!java.lang.reflect.Modifier.isPublic(m.getModifiers())
                    || List.of("listen", "store", "authenticator", "messagefilter", "accesspolicy", "listener", "metrics",
                            "cluster", "clock", "build")
                            .contains(name)) {
                continue; // beans, not properties (the clock: a ParleyServerCustomizer)
            }
            assertTrue(properties.contains(name) || nested.contains(name), "no parley.* property for ChatServer.Builder." + m.getName());
        }
    }
}
