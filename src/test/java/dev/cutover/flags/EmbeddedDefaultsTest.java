package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `java -jar` with no configuration does: embedded PostgreSQL and a generated admin token, both kept in DATA_DIR. */
class EmbeddedDefaultsTest {

    @Test
    void withNoConfigurationTheFlagAndTheAdminTokenSurviveARestart(@TempDir Path dataDir) throws Exception {
        String secret;
        try (TestApp first = unconfigured(dataDir)) {
            secret = Files.readString(dataDir.resolve("admin-token")).strip();
            AdminApi admin = new AdminApi(first, secret);
            assertThat(admin.setPercentage("12.50").statusCode()).isEqualTo(200);
        }
        assertThat(dataDir.resolve("postgres")).isDirectory();

        try (TestApp second = unconfigured(dataDir)) {
            assertThat(Files.readString(dataDir.resolve("admin-token")).strip()).isEqualTo(secret);
            assertThat(new AdminApi(second, secret).get(AdminApi.FLAG).body())
                    .contains("\"percentage\":12.50", "\"version\":2");
            assertThat(second.get("/api/v1/assignment?sessionId=s-1").body()).contains("\"percentage\":12.50");
        }
    }

    private static TestApp unconfigured(Path dataDir) {
        // Blank values count as unset: no DATABASE_URL means the embedded server, no ADMIN_TOKEN a generated one.
        return TestApp.builder().env("DATABASE_URL", "").env("ADMIN_TOKEN", "").env("DATA_DIR", dataDir.toString()).start();
    }
}
