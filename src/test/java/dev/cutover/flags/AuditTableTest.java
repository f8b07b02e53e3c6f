package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.db.DatabaseUrl;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class AuditTableTest {

    @Test
    void theDatabaseRefusesToUpdateDeleteOrTruncateAuditRows() throws SQLException {
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:audit-secret").start()) {
            assertThat(new AdminApi(app, "audit-secret").setPercentage("5").statusCode()).isEqualTo(200);
            DatabaseUrl url = DatabaseUrl.parse(app.env().get("DATABASE_URL"));
            try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user().orElse("postgres"),
                    url.password().orElse(""));
                 Statement statement = connection.createStatement()) {
                assertThatThrownBy(() -> statement.executeUpdate("UPDATE audit_log SET actor = 'mallory'"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM audit_log"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> statement.executeUpdate("TRUNCATE audit_log"))
                        .hasMessageContaining("append-only");
                try (ResultSet rows = statement.executeQuery("SELECT count(*), min(actor) FROM audit_log")) {
                    rows.next();
                    assertThat(rows.getLong(1)).isEqualTo(1);
                    assertThat(rows.getString(2)).isEqualTo("ops");
                }
            }
        }
    }
}
