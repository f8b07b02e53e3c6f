package dev.cutover.rollout;

import dev.cutover.db.DatabaseUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The guard's PostgreSQL session-level advisory lock, on a connection of its own (never one of the pool's): the
 * instance holding it is the one that guards. When that instance dies its session ends and PostgreSQL releases the
 * lock, so another instance takes it at its next attempt. Every instance keeps one such session open (named
 * {@code cutover-guard-lock}) and tries the lock on it at each of its runs; each check first proves the session
 * alive, so an instance whose session was cut (PostgreSQL restarted, network) knows it no longer guards.
 *
 * <p>Not thread-safe: used by the guard's thread alone.
 */
final class GuardLock implements AutoCloseable {
    /** The lock's key: the same on every instance, unlikely to meet another application's. */
    static final String KEY = "SELECT pg_try_advisory_lock(hashtext('cutover.rollout.guard'))";

    static final String APPLICATION_NAME = "cutover-guard-lock";

    private final DatabaseUrl url;
    private Connection connection;
    private boolean holding;

    GuardLock(DatabaseUrl url) {
        this.url = url;
    }

    /** Whether this instance guards: it holds the lock, another instance does, or PostgreSQL cannot be reached. */
    enum Holder { THIS_INSTANCE, ANOTHER_INSTANCE, UNREACHABLE }

    /** Who holds the lock now, taking it if it is free. */
    Holder holdOrAcquire() {
        try {
            if (connection == null || !connection.isValid(2)) {
                close(); // a session that was cut held nothing any more
                connection = url.openSession(APPLICATION_NAME);
                detectDeathQuickly(connection);
            }
            if (!holding) {
                try (Statement statement = connection.createStatement();
                     ResultSet rs = statement.executeQuery(KEY)) {
                    holding = rs.next() && rs.getBoolean(1);
                }
            }
            return holding ? Holder.THIS_INSTANCE : Holder.ANOTHER_INSTANCE;
        } catch (SQLException e) {
            close();
            return Holder.UNREACHABLE;
        }
    }

    /**
     * Asks PostgreSQL to probe this session's TCP connection after 4 s of silence, every 3 s, 3 times: if the
     * guarding host dies without closing its socket (power, network), the server ends the session, and releases the
     * lock, within about 13 s instead of the kernel's default two hours, so another instance guards within two
     * intervals. A process that dies closes its socket, and the lock goes at once.
     */
    private static void detectDeathQuickly(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET tcp_keepalives_idle = 4; SET tcp_keepalives_interval = 3; "
                    + "SET tcp_keepalives_count = 3");
        } catch (SQLException e) {
            // Not fatal (a server over a Unix socket has no TCP keep-alives): death is then seen when the socket closes.
        }
    }

    /** Whether the session holding the lock is still alive (a round trip); never takes the lock. */
    boolean stillHeld() {
        try {
            return holding && connection != null && connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Releases the lock (by ending the session). */
    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The session is gone either way, and the lock with it.
            }
            connection = null;
        }
        holding = false;
    }
}
