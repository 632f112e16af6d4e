package dev.parley.chat.jakarta.internal;

import dev.parley.chat.net.internal.WsPage;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * Serves the browser chat page, the same file and headers (Content-Security-Policy by hash, no-store,
 * nosniff) as the built-in transport's {@code servePage(true)}. GET and HEAD only.
 */
public final class ChatPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient WsPage page;

    /** @param wsPath the endpoint's path as the browser requests it (with the context path) */
    public ChatPageServlet(String wsPath) {
        this.page = WsPage.load(wsPath);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        for (Map.Entry<String, String> h : page.headers().entrySet()) {
            response.setHeader(h.getKey(), h.getValue());
        }
        response.setContentLength(page.html().length);
        response.getOutputStream().write(page.html());
    }
}
