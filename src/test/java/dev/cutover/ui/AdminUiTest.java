package dev.cutover.ui;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.rollout.GuardHarness;
import dev.cutover.rollout.RolloutApi;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Browser;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The admin UI in headless Chromium against the real app and PostgreSQL: signing in, acting on the rollout with a
 * reason, the second confirmation of a forced advance, a guard's rollback shown live, and two engineers racing.
 */
class AdminUiTest {
    private static final String TOKEN = RolloutApi.ADMIN;

    @Test
    void aGoodTokenSignsInAndABadOneSaysSo() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser browser = Browser.start()) {
            AdminUi ui = new AdminUi(browser, app);
            browser.open(app.baseUrl() + "/admin");
            ui.signIn("not-the-token");
            browser.awaitText("#signin-error", "not valid", AdminUi.SHOWN);
            assertThat(browser.displayed("#console")).isFalse();

            ui.signIn(TOKEN);
            browser.awaitVisible("#console", AdminUi.SHOWN);
            ui.awaitStatus("ACTIVE", AdminUi.SHOWN);
            ui.awaitPhase("baseline");
            assertThat(browser.text("#phase-percent")).contains("0 %");
            assertThat(browser.text("#time-in-phase")).contains("of 1 d soak");
            assertThat(browser.attribute("#can-advance", "data-can")).isEqualTo("false");
            assertThat(browser.text("#advance-reasons")).contains("minimum soak of 24h");

            browser.open(app.baseUrl() + "/admin/");
            browser.awaitVisible("#console", AdminUi.SHOWN); // the token is kept for the tab
            assertThat(ui.unexpectedConsoleErrors("status of 401")).isEmpty();

            browser.find("#sign-out").click();
            browser.awaitVisible("#signin", AdminUi.SHOWN);
            assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);
        }
    }

    @Test
    void anAdvanceFromTheUiIsAuditedWithItsReasonAndForcingNeedsASecondConfirmationListingWhatItOverrides() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser browser = Browser.start()) {
            RolloutApi api = RolloutApi.of(app);
            clock.advance(Duration.ofHours(25)); // baseline's soak, its only readiness check
            AdminUi ui = AdminUi.signedIn(browser, app, TOKEN);
            browser.await(AdminUi.SHOWN, "advance allowed", d -> "true".equals(browser.attribute("#can-advance", "data-can")));

            ui.act("advance", "baseline steady for a day");
            ui.awaitPhase("developer-testing");
            JsonNode advance = latest(api, "rollout.advance");
            assertThat(advance.path("actor").asText()).isEqualTo("ops");
            assertThat(advance.path("reason").asText()).isEqualTo("baseline steady for a day");
            assertThat(advance.at("/after/forced").asBoolean()).isFalse();

            // developer-testing has a 48 h soak and criteria without data: only a forced advance leaves it.
            assertThat(browser.findAll("#action-advance")).isEmpty();
            long version = api.version();
            browser.awaitVisible("#action-force-advance", AdminUi.SHOWN).click();
            ui.confirm(null);
            browser.await(AdminUi.SHOWN, "the second confirmation", d -> ui.dialogTitle().startsWith("Override"));
            List<String> overrides = ui.dialogList();
            assertThat(overrides).anySatisfy(line -> assertThat(line).startsWith("Override: minimumSoak"));
            assertThat(overrides).anySatisfy(line -> assertThat(line).contains("criteria[0]: error_rate"));
            browser.find("#confirm-cancel").click();
            assertThat(api.version()).as("cancelling the second confirmation changes nothing").isEqualTo(version);

            browser.awaitVisible("#action-force-advance", AdminUi.SHOWN).click();
            ui.confirm(null);
            browser.await(AdminUi.SHOWN, "the second confirmation", d -> ui.dialogTitle().startsWith("Override"));
            browser.find("#confirm-ok").click();
            browser.awaitText("#confirm-error", "reason is required", AdminUi.SHOWN);
            ui.confirm("QA signed off on the allowlist");
            ui.awaitPhase("canary");
            JsonNode forced = latest(api, "rollout.advance");
            assertThat(forced.path("reason").asText()).isEqualTo("QA signed off on the allowlist");
            assertThat(forced.at("/after/forced").asBoolean()).isTrue();
            assertThat(ui.unexpectedConsoleErrors()).isEmpty();
        }
    }

    @Test
    void aRollbackByTheGuardTurnsThePageRedWithinFiveSecondsWithoutAReload() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser browser = Browser.start()) {
            GuardHarness guard = new GuardHarness(clock, app);
            guard.toCanary();
            AdminUi ui = AdminUi.signedIn(browser, app, TOKEN);
            ui.awaitStatus("ACTIVE", AdminUi.SHOWN);
            assertThat(background(browser)).isEqualTo("rgb(26, 127, 55)");
            browser.script("window.cutoverTestMarker = 'same page'");

            guard.attempts("whisper", 1_000, 30, 800);
            guard.attempts("webspeech", 2_000, 10, 900);
            guard.run();
            // The guard judges what the instances have flushed to PostgreSQL: wait until the closed window is there.
            Eventually.await(Duration.ofSeconds(10), "the attempts flushed", () -> json(RolloutApi.of(app).admin()
                    .get("/api/v1/signals?window=5m")).at("/providers/1/attempts").asLong() == 1_000);
            guard.runUntil(2, e -> e.path("outcome").asText().equals("rollback"));
            assertThat(guard.rollout().state().path("status").asText()).isEqualTo("ROLLED_BACK");

            ui.awaitStatus("ROLLED_BACK", Duration.ofSeconds(5));
            assertThat(background(browser)).isEqualTo("rgb(207, 34, 46)");
            assertThat(browser.script("return window.cutoverTestMarker")).as("no reload").isEqualTo("same page");
            browser.awaitText("#rolled-back-note", "Rolled back from phase 2 ('canary')", AdminUi.SHOWN);
            browser.awaitText("#rules", "acted", AdminUi.SHOWN);
            assertThat(browser.displayed("#rules tr[data-metric='error_rate'][data-verdict='FAIL']")).isTrue();
            assertThat(browser.findAll("#action-resume")).hasSize(1);
            assertThat(browser.findAll("#action-rollback")).isEmpty();
            assertThat(ui.unexpectedConsoleErrors()).isEmpty();
        }
    }

    @Test
    void twoEngineersAdvancingAtOnceOneSucceedsTheOtherSeesWhatChangedAndRetriesOnFreshData() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser first = Browser.start(); Browser second = Browser.start()) {
            RolloutApi api = RolloutApi.of(app);
            JsonNode plan = json(api.admin().get(AdminApi.ROLLOUT + "/plan"));
            assertThat(api.admin().putPlan(AdminApi.planAt("0", 1), plan.path("planVersion").asLong(), "three quick phases")
                    .statusCode()).isEqualTo(200);
            AdminUi alice = AdminUi.signedIn(first, app, TOKEN);
            AdminUi bob = AdminUi.signedIn(second, app, TOKEN);
            for (AdminUi ui : List.of(alice, bob)) {
                ui.awaitPhase("test-0");
                ui.browser().awaitVisible("#action-advance", AdminUi.SHOWN).click();
                ui.browser().awaitVisible("#confirm-dialog[open]", AdminUi.SHOWN);
            }
            alice.confirm("alice: test-0 is fine");
            alice.awaitPhase("test-1");
            bob.confirm("bob: test-0 is fine");

            bob.browser().awaitText("#conflict", "Someone else changed the rollout", AdminUi.SHOWN);
            String changes = bob.browser().text("#conflict-changes");
            assertThat(changes).contains("Phase: 'test-0' (0 %) → 'test-1' (0 %)");
            assertThat(changes).contains("ops ran advance — “alice: test-0 is fine”");
            bob.awaitPhase("test-1"); // the page shows the fresh state behind the explanation
            assertThat(api.state().at("/phase/name").asText()).as("bob's advance was not applied").isEqualTo("test-1");

            bob.browser().find("#conflict-retry").click();
            bob.awaitPhase("full");
            assertThat(bob.browser().displayed("#conflict")).isFalse();
            List<String> reasons = new ArrayList<>();
            for (JsonNode event : api.audit()) {
                if (event.path("action").asText().equals("rollout.advance")) {
                    reasons.add(event.path("reason").asText());
                }
            }
            assertThat(reasons).containsExactly("bob: test-0 is fine", "alice: test-0 is fine");
            assertThat(alice.unexpectedConsoleErrors()).isEmpty();
            assertThat(bob.unexpectedConsoleErrors("status of 409")).isEmpty();
        }
    }

    private static String background(Browser browser) {
        return (String) browser.script("return getComputedStyle(document.getElementById('status-badge')).backgroundColor");
    }

    private static JsonNode latest(RolloutApi api, String action) {
        return StreamSupport.stream(api.audit().spliterator(), false)
                .filter(e -> e.path("action").asText().equals(action)).findFirst().orElseThrow();
    }
}
