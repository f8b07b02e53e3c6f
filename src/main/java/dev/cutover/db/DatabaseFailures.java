package dev.cutover.db;

import dev.cutover.http.ApiError;
import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Supplier;

/**
 * The one place that tells "PostgreSQL cannot be reached" apart from other database errors and turns it into
 * {@code 503 database_unavailable}. Stateless and thread-safe.
 */
public final class DatabaseFailures {
    private DatabaseFailures() {
    }

    /** Runs {@code work}; a connection failure anywhere in it becomes {@link #unavailable()}. */
    public static <T> T translate(Supplier<T> work) {
        try {
            return work.get();
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            if (isConnectionFailure(e)) {
                throw unavailable();
            }
            throw e;
        }
    }

    public static ApiError unavailable() {
        return ApiError.unavailable("database_unavailable",
                "PostgreSQL cannot be reached, so nothing was changed; assignment keeps serving the last known state. "
                        + "Retry when the database is back.", 5);
    }

    /** True for Hikari's connection timeout, JDBC connection exceptions, SQLState class 08 and server shutdowns. */
    public static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof ConnectException || t instanceof SocketException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now.
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
            }
        }
        return false;
    }
}
