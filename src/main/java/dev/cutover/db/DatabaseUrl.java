package dev.cutover.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * A PostgreSQL location as JDBC needs it. Accepts {@code postgresql://user:pass@host:port/db} (and {@code postgres://})
 * as well as {@code jdbc:postgresql://…}.
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {

    /**
     * A connection of its own, outside the pool, for a session that must live as long as its holder (LISTEN, the
     * guard's advisory lock): 2-second connect timeout, TCP keep-alive, named {@code applicationName} in
     * {@code pg_stat_activity}.
     */
    public Connection openSession(String applicationName) throws SQLException {
        Properties properties = new Properties();
        user.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    public static DatabaseUrl parse(String url) {
        String trimmed = url.trim();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(trimmed, Optional.empty(), Optional.empty());
        }
        if (!trimmed.startsWith("postgresql://") && !trimmed.startsWith("postgres://")) {
            throw new IllegalArgumentException("DATABASE_URL must start with postgresql:// or jdbc:postgresql://");
        }
        URI uri = URI.create(trimmed);
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = Optional.of(decode(parts[0]));
            if (parts.length == 2) {
                password = Optional.of(decode(parts[1]));
            }
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new DatabaseUrl("jdbc:postgresql://" + uri.getHost() + ":" + port + path + query, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
