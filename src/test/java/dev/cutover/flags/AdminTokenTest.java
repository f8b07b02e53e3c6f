package dev.cutover.flags;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

    @Test
    void withoutAdminTokenTheFirstStartGeneratesAPrivateTokenThatLaterStartsReuse(@TempDir Path dataDir) throws Exception {
        Path tokenFile = dataDir.resolve("admin-token");
        String secret;
        try (TestApp app = TestApp.builder().env("DATA_DIR", dataDir.toString()).start()) {
            assertThat(tokenFile).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            secret = Files.readString(tokenFile).trim();
            assertThat(secret).hasSizeGreaterThanOrEqualTo(40);
            assertThat(new AdminApi(app, secret).get(AdminApi.FLAG).statusCode()).isEqualTo(200);
            assertThat(app.get(AdminApi.FLAG).statusCode()).isEqualTo(401);
        }
        try (TestApp again = TestApp.builder().env("DATA_DIR", dataDir.toString()).start()) {
            assertThat(Files.readString(tokenFile).trim()).isEqualTo(secret);
            AdminApi admin = new AdminApi(again, secret);
            assertThat(admin.setPercentage("1").statusCode()).isEqualTo(200);
            assertThat(json(admin.get("/api/v1/audit")).path("events").get(0).path("actor").asText())
                    .isEqualTo("admin");
        }
    }

    @Test
    void anAdminTokenWithoutAnySecretRefusesToStart() {
        assertThatThrownBy(() -> TestApp.builder().env("ADMIN_TOKEN", "alice:, :").start())
                .hasMessageContaining("ADMIN_TOKEN");
    }
}
