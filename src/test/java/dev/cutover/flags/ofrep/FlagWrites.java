package dev.cutover.flags.ofrep;

import static dev.cutover.testing.HttpTestClient.json;

import dev.cutover.flags.FlagStatus;
import dev.cutover.flags.OverrideSubject;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;

/**
 * Changes the flag of a test app the way an engineer does, through the admin API ({@link AdminApi}) with the token
 * the app was started with ({@link #ADMIN_TOKEN} as ADMIN_TOKEN). Each call returns the flag's new version.
 */
public final class FlagWrites {
    static final String ADMIN_TOKEN = "ofrep-test-admin-secret";

    private final AdminApi admin;

    private FlagWrites(AdminApi admin) {
        this.admin = admin;
    }

    static FlagWrites on(TestApp app) {
        return new FlagWrites(new AdminApi(app, ADMIN_TOKEN));
    }

    long set(String percentage, FlagStatus status) {
        long current = version(admin.get(AdminApi.FLAG), 200);
        return version(admin.patch(AdminApi.FLAG, "{\"percentage\":" + percentage + ",\"status\":\"" + status.name()
                + "\",\"expectedVersion\":" + current + ",\"reason\":\"ofrep test\"}"), 200);
    }

    long allow(OverrideSubject subject, String id) {
        return version(admin.post(AdminApi.FLAG + "/overrides", "{\"list\":\"allow\",\"subject\":\""
                + subject.name().toLowerCase(java.util.Locale.ROOT) + "\",\"id\":\"" + id + "\"}"), 201);
    }

    private static long version(HttpResponse<String> response, int expectedStatus) {
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError("Admin API answered " + response.statusCode() + ": " + response.body());
        }
        return json(response).get("version").asLong();
    }
}
