package dev.parley.chat.bench.server;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * A minimal connection pool for the bench server, so that the JDBC store's reads (one borrowed
 * connection per call) do not open a database connection each time, as a real deployment's pool
 * (HikariCP) would not. Connections are opened on demand up to {@code max} and kept; {@code close()}
 * on a borrowed connection rolls back anything open, restores auto-commit and returns it.
 */
final class SimplePool implements DataSource, AutoCloseable {
    private final DataSource target;
    private final BlockingQueue<Connection> idle;
    private final Semaphore permits;

    SimplePool(DataSource target, int max) {
        this.target = target;
        this.idle = new ArrayBlockingQueue<>(max);
        this.permits = new Semaphore(max);
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a pooled connection", e);
        }
        try {
            Connection c = idle.poll();
            if (c == null || c.isClosed()) {
                c = target.getConnection();
            }
            return wrap(c);
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private Connection wrap(Connection physical) {
        InvocationHandler h = new InvocationHandler() {
            private boolean returned;

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                switch (method.getName()) {
                    case "close" -> {
                        if (!returned) {
                            returned = true;
                            giveBack(physical);
                        }
                        return null;
                    }
                    case "isClosed" -> {
                        return returned || physical.isClosed();
                    }
                    case "unwrap" -> {
                        return ((Class<?>) args[0]).isInstance(physical) ? physical : physical.unwrap((Class<?>) args[0]);
                    }
                    default -> {
                        if (returned) {
                            throw new SQLException("connection already returned to the pool");
                        }
                        try {
                            return method.invoke(physical, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                }
            }
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private void giveBack(Connection c) {
        try {
            if (!c.isClosed()) {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                if (!idle.offer(c)) {
                    c.close();
                }
            }
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken anyway
            }
        } finally {
            permits.release();
        }
    }

    @Override
    public void close() {
        Connection c;
        while ((c = idle.poll()) != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool has fixed credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no logging
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // not supported
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
