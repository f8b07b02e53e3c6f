package dev.cutover.flags;

import dev.cutover.db.DatabaseUrl;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One dedicated PostgreSQL connection (outside the pool) that LISTENs on {@link FlagStore#CHANGE_CHANNEL}.
 * Not thread-safe: only the refresher thread uses it.
 */
public final class FlagChangeListener implements AutoCloseable {
    private final DatabaseUrl url;
    private Connection connection;
    private PGConnection listening;

    public FlagChangeListener(DatabaseUrl url) {
        this.url = url;
    }

    boolean isConnected() {
        return connection != null;
    }

    void connect() throws SQLException {
        close();
        Connection opened = url.openSession("cutover-flag-listener");
        try (Statement statement = opened.createStatement()) {
            statement.execute("LISTEN " + FlagStore.CHANGE_CHANNEL);
        } catch (SQLException e) {
            opened.close();
            throw e;
        }
        connection = opened;
        listening = opened.unwrap(PGConnection.class);
    }

    /** Waits up to {@code timeoutMillis} for notifications; true when at least one flag changed. */
    boolean awaitChange(int timeoutMillis) throws SQLException {
        PGNotification[] notifications = listening.getNotifications(Math.max(1, timeoutMillis));
        return notifications != null && notifications.length > 0;
    }

    /** Proves the connection is still alive; a silently dead socket would otherwise never deliver anything. */
    void checkAlive() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being thrown away; a failure to close it changes nothing.
            }
        }
        connection = null;
        listening = null;
    }
}
