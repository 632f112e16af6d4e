package dev.parley.chat.spring;

import dev.parley.chat.jakarta.JakartaWebSocketTransport;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.web.servlet.ServletContextInitializer;

/**
 * Mounts the Jakarta transport in the embedded servlet container: the chat page servlet while the
 * context starts (the only time servlets may be added), the WebSocket endpoint once every singleton
 * exists (Spring's own {@code ServerEndpointExporter} moment: the container's {@code ServerContainer}
 * is published by then, and no handshake has happened yet).
 */
public class ParleyWebSocketRegistrar implements ServletContextInitializer, SmartInitializingSingleton {
    private static final Logger log = LoggerFactory.getLogger(ParleyWebSocketRegistrar.class);

    private final JakartaWebSocketTransport transport;
    private volatile ServletContext context;

    public ParleyWebSocketRegistrar(JakartaWebSocketTransport transport) {
        this.transport = transport;
    }

    @Override
    public void onStartup(ServletContext servletContext) {
        this.context = servletContext;
        if (transport.servesPage()) {
            ServletRegistration.Dynamic page = servletContext.addServlet("parley-chat-page",
                    transport.pageServlet(servletContext.getContextPath()));
            if (page != null) {
                page.addMapping("");
            }
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        ServletContext c = context;
        if (c == null) {
            return; // not in a servlet container (a test context, a non-web run): nothing to mount
        }
        Object container = c.getAttribute(JakartaWebSocketTransport.SERVER_CONTAINER_ATTRIBUTE);
        if (!(container instanceof ServerContainer sc)) {
            log.warn("parley.websocket: the servlet container has no Jakarta WebSocket support "
                    + "(add spring-boot-starter-websocket, or tomcat-embed-websocket); the endpoint is not mounted");
            return;
        }
        try {
            transport.register(sc);
        } catch (DeploymentException e) {
            throw new IllegalStateException("could not mount the Parley WebSocket endpoint at " + transport.path(), e);
        }
    }
}
