package dev.cutover.flags.ofrep;

import static dev.cutover.testing.HttpTestClient.json;

import dev.cutover.flags.FlagStatus;
import dev.cutover.flags.OverrideSubject;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.math.BigDecimal;
import java.net.http.HttpResponse;

/**
 * Changes the flag of a test app the way an engineer does, through the admin API ({@link AdminApi}: the rollout for
 * its percentage and status, the flag's own routes for overrides) with the token the app was started with
 * ({@link #ADMIN_TOKEN} as ADMIN_TOKEN). Each call returns the flag's new version.
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

    /**
     * Puts the flag at {@code percentage} and {@code status} through the rollout, its one writer: back to ACTIVE first
     * (resume, twice from ROLLED_BACK), the plan's current phase to {@code percentage} unless the flag is there, then
     * pause or rollback. Rolled back, the flag holds 0 % whatever {@code percentage} says.
     */
    long set(String percentage, FlagStatus status) {
        for (String rollout = rolloutStatus(); !rollout.equals("ACTIVE"); rollout = rolloutStatus()) {
            expect(admin.transition("resume", "ofrep test"), 200);
        }
        if (json(expect(admin.get(AdminApi.FLAG), 200)).path("percentage").decimalValue()
                .compareTo(new BigDecimal(percentage)) != 0) {
            expect(admin.setPercentage(percentage), 200);
        }
        switch (status) {
            case PAUSED -> expect(admin.transition("pause", "ofrep test"), 200);
            case ROLLED_BACK -> expect(admin.transition("rollback", "ofrep test"), 200);
            case ACTIVE -> { }
        }
        return version(admin.get(AdminApi.FLAG), 200);
    }

    long allow(OverrideSubject subject, String id) {
        return version(admin.post(AdminApi.FLAG + "/overrides", "{\"list\":\"allow\",\"subject\":\""
                + subject.name().toLowerCase(java.util.Locale.ROOT) + "\",\"id\":\"" + id + "\"}"), 201);
    }

    private String rolloutStatus() {
        return json(expect(admin.get(AdminApi.ROLLOUT), 200)).path("status").asText();
    }

    private static long version(HttpResponse<String> response, int expectedStatus) {
        return json(expect(response, expectedStatus)).get("version").asLong();
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int expectedStatus) {
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError("Admin API answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }
}
