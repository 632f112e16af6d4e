package dev.parley.chat.store.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A test data source around a driver's own: a tiny pool (so tests do not pay a new connection per
 * read), a count of connections lent and not given back (leak checks), a switch that makes the
 * database look down ({@code 08001} on connect, {@code 08006} on every use of a lent connection), and
 * a hook called whenever a connection is given back, and one called before every {@code commit}.
 */
final class TestDataSource implements DataSource, AutoCloseable {
    private final DataSource target;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final AtomicInteger lent = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile Consumer<Thread> onGiveBack = t -> { };
    private volatile Runnable beforeCommit = () -> { };

    TestDataSource(DataSource target) {
        this.target = target;
    }

    /** Connections handed out and not closed yet. */
    int lent() {
        return lent.get();
    }

    /** Makes the database look unreachable (true) or back (false). Going down drops pooled connections. */
    void down(boolean isDown) {
        down.set(isDown);
        if (isDown) {
            closeIdle();
        }
    }

    /** Called with the current thread each time a lent connection is closed. */
    void onGiveBack(Consumer<Thread> hook) {
        this.onGiveBack = hook;
    }

    /** Called in the committing thread before each {@code commit} of a lent connection goes to the driver. */
    void beforeCommit(Runnable hook) {
        this.beforeCommit = hook;
    }

    /** The driver's data source. */
    DataSource target() {
        return target;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (down.get()) {
            throw new SQLException("Connection refused (test: database is down)", "08001");
        }
        Connection physical;
        lock.lock();
        try {
            physical = idle.poll();
        } finally {
            lock.unlock();
        }
        if (physical == null) {
            physical = target.getConnection();
        }
        lent.incrementAndGet();
        return wrap(physical);
    }

    private Connection wrap(Connection physical) {
        AtomicBoolean closed = new AtomicBoolean();
        InvocationHandler h = (proxy, method, args) -> {
            String name = method.getName();
            if (name.equals("close")) {
                if (closed.compareAndSet(false, true)) {
                    lent.decrementAndGet();
                    giveBack(physical);
                    onGiveBack.accept(Thread.currentThread());
                }
                return null;
            }
            if (name.equals("isClosed")) {
                return closed.get() || physical.isClosed();
            }
            if (closed.get()) {
                throw new SQLException("connection is closed", "08003");
            }
            if (down.get()) {
                throw new SQLException("An I/O error occurred (test: database is down)", "08006");
            }
            if (name.equals("commit")) {
                beforeCommit.run();
            }
            try {
                return method.invoke(physical, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private void giveBack(Connection physical) {
        try {
            if (down.get() || physical.isClosed()) {
                physical.close();
                return;
            }
            if (!physical.getAutoCommit()) {
                physical.rollback();
                physical.setAutoCommit(true);
            }
        } catch (SQLException e) {
            try {
                physical.close();
            } catch (SQLException ignored) {
                // already broken
            }
            return;
        }
        lock.lock();
        try {
            idle.push(physical);
        } finally {
            lock.unlock();
        }
    }

    private void closeIdle() {
        lock.lock();
        try {
            for (Connection c : idle) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // dropping it anyway
                }
            }
            idle.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the pooled connections. */
    @Override
    public void close() {
        closeIdle();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("test pool has fixed credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
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
        if (iface.isInstance(target)) {
            return iface.cast(target);
        }
        throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(target);
    }
}
