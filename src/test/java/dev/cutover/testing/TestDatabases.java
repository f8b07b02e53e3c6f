package dev.cutover.testing;

import dev.cutover.db.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh, empty PostgreSQL databases for tests: on the server named by DATABASE_URL when set (CI), otherwise on one
 * embedded server shared by the whole test JVM. Each call creates a new database, so tests never see each other's rows.
 */
public final class TestDatabases {
    private static EmbeddedPostgres embedded;

    private TestDatabases() {
    }

    /** Creates a new database and returns its URL in the {@code postgresql://user@host:port/db} form users write. */
    public static synchronized String createFresh() {
        String name = "cutover_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Server server = server();
        try (Connection c = DriverManager.getConnection(server.adminJdbcUrl(), server.user(), "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database on " + server.adminJdbcUrl(), e);
        }
        return "postgresql://" + server.user() + "@" + server.host() + ":" + server.port() + "/" + name;
    }

    private static Server server() {
        String url = System.getenv("DATABASE_URL");
        if (url != null && !url.isBlank()) {
            DatabaseUrl parsed = DatabaseUrl.parse(url);
            String jdbc = parsed.jdbcUrl();
            String hostPort = jdbc.substring("jdbc:postgresql://".length(), jdbc.indexOf('/', "jdbc:postgresql://".length()));
            String[] hp = hostPort.split(":");
            return new Server(hp[0], hp.length > 1 ? Integer.parseInt(hp[1]) : 5432, parsed.user().orElse("postgres"));
        }
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Server("localhost", embedded.getPort(), "postgres");
    }

    private record Server(String host, int port, String user) {
        String adminJdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/postgres";
        }
    }
}
