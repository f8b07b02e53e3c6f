package dev.cutover.ui;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.rollout.GuardHarness;
import dev.cutover.rollout.RolloutApi;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Browser;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.StoppablePostgres;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;

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
            JsonNode advance = api.lastAudited("rollout.advance");
            assertThat(advance.path("actor").asText()).isEqualTo("ops");
            assertThat(advance.path("reason").asText()).isEqualTo("baseline steady for a day");
            assertThat(advance.at("/after/forced").asBoolean()).isFalse();
            browser.find("nav a[data-view='history']").click();
            browser.awaitText("#audit tbody", "baseline steady for a day", AdminUi.SHOWN);
            assertThat(browser.text("#audit tbody tr[data-id]")).contains("ops").contains("rollout.advance");
            browser.find("nav a[data-view='overview']").click();

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
            JsonNode forced = api.lastAudited("rollout.advance");
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
            // The guard judges what the instances have flushed to PostgreSQL: close the window (before the next
            // guard run) and wait until it is there.
            clock.advance(Duration.ofSeconds(11));
            Eventually.await(Duration.ofSeconds(10), "the attempts flushed", () -> AdminApi.provider(
                    guard.rollout().admin().signals("5m"), "whisper", "client").path("attempts").asLong() == 1_000);
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
            browser.screenshot("admin-desktop");
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

    @Test
    void at375PixelsWideTheKeyboardAloneReachesAndRunsEveryAction() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser browser = Browser.start(375, 800, null)) {
            RolloutApi api = RolloutApi.of(app);
            AdminUi ui = new AdminUi(browser, app);
            browser.open(app.baseUrl() + "/admin/");
            browser.awaitVisible("#token", AdminUi.SHOWN);
            ui.tabTo("#token", 5);
            ui.type(TOKEN, Keys.ENTER);
            ui.awaitStatus("ACTIVE", AdminUi.SHOWN);
            ui.awaitPhase("baseline");
            assertThat(pageWiderThanWindow(browser)).as("no sideways scrolling at 375 px").isFalse();
            for (String view : List.of("overview", "signals", "plan", "lists", "history", "report")) {
                ui.tabTo("nav a[data-view='" + view + "']", 40);
            }
            browser.screenshot("admin-375");

            // baseline's soak has not elapsed: force-advance, through both confirmations, by keyboard.
            keyboard(ui, "#action-force-advance", null);
            browser.await(AdminUi.SHOWN, "the second confirmation", d -> ui.dialogTitle().startsWith("Override"));
            answerByKeyboard(ui, "forced by keyboard");
            ui.awaitPhase("developer-testing");
            keyboard(ui, "#action-pause", "pause by keyboard");
            ui.awaitStatus("PAUSED", AdminUi.SHOWN);
            keyboard(ui, "#action-resume", "resume by keyboard");
            ui.awaitStatus("ACTIVE", AdminUi.SHOWN);
            keyboard(ui, "#action-rollback", "rollback by keyboard");
            ui.awaitStatus("ROLLED_BACK", AdminUi.SHOWN);
            keyboard(ui, "#action-resume", "back from the rollback");
            ui.awaitStatus("PAUSED", AdminUi.SHOWN);
            keyboard(ui, "#action-resume", "and on");
            ui.awaitStatus("ACTIVE", AdminUi.SHOWN);

            JsonNode plan = json(api.admin().get(AdminApi.ROLLOUT + "/plan"));
            assertThat(api.admin().putPlan(AdminApi.planAt("0", 1), plan.path("planVersion").asLong(), "short plan")
                    .statusCode()).isEqualTo(200);
            ui.awaitPhase("test-1");
            keyboard(ui, "#action-advance", "advance by keyboard");
            ui.awaitPhase("full");
            keyboard(ui, "#action-complete", "complete by keyboard");
            ui.awaitStatus("COMPLETED", AdminUi.SHOWN);

            List<String> actions = new ArrayList<>();
            for (JsonNode event : api.audit()) {
                if (event.path("target").asText().equals("rollout") && event.path("reason").asText().contains("keyboard")) {
                    actions.add(event.path("action").asText());
                }
            }
            assertThat(actions).containsExactly("rollout.complete", "rollout.advance", "rollout.rollback",
                    "rollout.resume", "rollout.pause", "rollout.advance");
            assertThat(pageWiderThanWindow(browser)).isFalse();
            assertThat(ui.unexpectedConsoleErrors()).isEmpty();
        }
    }

    @Test
    void whilePostgresIsDownThePageStillRendersReadOnlyWithABannerAndComesBackWithIt(@TempDir Path postgresData) {
        StoppablePostgres postgres = StoppablePostgres.started(postgresData);
        TestClock clock = TestClock.atRoundTime();
        try (postgres;
             TestApp app = TestApp.builder().env("DATABASE_URL", postgres.url()).env("ADMIN_TOKEN", "ops:" + TOKEN)
                     .clock(clock).start();
             Browser browser = Browser.start()) {
            RolloutApi api = RolloutApi.of(app);
            api.ok("advance", true);
            api.ok("advance", true);
            AdminUi ui = AdminUi.signedIn(browser, app, TOKEN);
            ui.awaitPhase("canary");
            browser.awaitVisible("#action-pause", AdminUi.SHOWN);

            postgres.stop();
            browser.awaitText("#banner", "PostgreSQL is unreachable", Duration.ofSeconds(20));
            browser.awaitText("#banner", "serves whisper to 10 % of sessions", AdminUi.SHOWN);
            browser.awaitVisible("#actions-read-only", AdminUi.SHOWN);
            assertThat(browser.findAll("#action-pause")).isEmpty();
            assertThat(browser.text("#phase-name")).as("the last state read stays on screen").contains("canary");

            browser.open(app.baseUrl() + "/admin/"); // a fresh page while PostgreSQL is down
            browser.awaitText("#banner", "PostgreSQL is unreachable", Duration.ofSeconds(20));
            browser.awaitText("#banner", "serves whisper to 10 % of sessions", AdminUi.SHOWN);
            assertThat(browser.displayed("#console")).isTrue();
            ui.awaitPhase("canary"); // as last read in this tab
            browser.screenshot("admin-postgres-down");
            try (Browser other = Browser.start()) { // a tab that never read the rollout: what the instance serves
                AdminUi fresh = AdminUi.signedIn(other, app, TOKEN);
                other.awaitText("#rollout-unreadable", "cannot be read while PostgreSQL is down", Duration.ofSeconds(20));
                other.awaitText("#phase-percent", "10 % of sessions", AdminUi.SHOWN);
                assertThat(fresh.status()).isEqualTo("ACTIVE");
            }

            postgres.start();
            browser.await(Duration.ofSeconds(30), "the banner gone", d -> !browser.displayed("#banner"));
            ui.awaitPhase("canary");
            browser.awaitVisible("#action-pause", AdminUi.SHOWN);
            assertThat(ui.unexpectedConsoleErrors("status of 503")).isEmpty();
        }
    }

    @Test
    void at375PixelsWideTheKeyboardAloneEditsThePlanManagesTheListsAndFiltersTheHistory() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser browser = Browser.start(375, 800, null)) {
            RolloutApi api = RolloutApi.of(app);
            AdminUi ui = AdminUi.signedIn(browser, app, TOKEN);
            ui.awaitPhase("baseline");

            ui.tabTo("nav a[data-view='plan']", 40);
            ui.type(Keys.ENTER);
            browser.awaitVisible("input[data-path='phases[0].minimumSoak']", AdminUi.SHOWN);
            ui.tabTo("input[data-path='phases[0].minimumSoak']", 80);
            ui.type("12h"); // tabbing into a text field selects what it holds
            assertThat(browser.attribute("input[data-path='phases[0].minimumSoak']", "value")).isEqualTo("12h");
            ui.tabTo("#plan-save", 150);
            ui.type(Keys.ENTER);
            answerByKeyboard(ui, "shorter baseline soak, by keyboard");
            browser.await(AdminUi.SHOWN, "the plan saved", d -> json(api.admin().get(AdminApi.ROLLOUT + "/plan"))
                    .at("/plan/phases/0/minimumSoak").asText().equals("12h"));
            assertThat(pageWiderThanWindow(browser)).isFalse();

            ui.tabBackTo("nav a[data-view='lists']", 200);
            ui.type(Keys.ENTER);
            browser.awaitVisible("#override-id", AdminUi.SHOWN);
            ui.tabTo("#override-id", 40);
            ui.type("qa-keyboard-1");
            ui.tabTo("#override-note", 5);
            ui.type("added by keyboard");
            ui.tabTo("#override-add", 5);
            ui.type(Keys.ENTER);
            browser.awaitText("#allowlist", "qa-keyboard-1", AdminUi.SHOWN);
            ui.tabTo("#allowlist button[data-remove]", 40);
            ui.type(Keys.ENTER);
            answerByKeyboard(ui, "removed by keyboard");
            browser.await(AdminUi.SHOWN, "the entry removed", d -> !browser.text("#allowlist").contains("qa-keyboard-1"));
            assertThat(pageWiderThanWindow(browser)).isFalse();

            ui.tabBackTo("nav a[data-view='history']", 200);
            ui.type(Keys.ENTER);
            browser.awaitText("#audit tbody", "removed by keyboard", AdminUi.SHOWN);
            ui.tabTo("#audit-filter", 40);
            ui.type("shorter baseline");
            browser.await(AdminUi.SHOWN, "one row left", d -> browser.findAll("#audit tbody tr[data-id]").size() == 1);
            ui.tabTo("#evaluations-outcome", 40);
            ui.tabBackTo("nav a[data-view='report']", 200);
            ui.type(Keys.ENTER);
            browser.awaitVisible("#report", AdminUi.SHOWN);
            assertThat(pageWiderThanWindow(browser)).isFalse();
            assertThat(ui.unexpectedConsoleErrors()).isEmpty();
        }
    }

    /** Tabs to the action's button, presses Enter, and answers its confirmation by keyboard. */
    private static void keyboard(AdminUi ui, String button, String reason) {
        ui.browser().awaitVisible(button, AdminUi.SHOWN);
        ui.browser().script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)");
        ui.tabTo(button, 60);
        ui.type(Keys.ENTER);
        ui.browser().awaitVisible("#confirm-dialog[open]", AdminUi.SHOWN);
        answerByKeyboard(ui, reason);
    }

    /** The dialog opens with the reason focused (or the confirm button when none is asked). */
    private static void answerByKeyboard(AdminUi ui, String reason) {
        ui.browser().awaitVisible("#confirm-dialog[open]", AdminUi.SHOWN);
        if (reason != null) {
            assertThat(ui.browser().script("return document.activeElement.id")).isEqualTo("confirm-reason");
            ui.type(reason);
            ui.tabTo("#confirm-ok", 3);
        } else {
            assertThat(ui.browser().script("return document.activeElement.id")).isEqualTo("confirm-ok");
        }
        ui.type(Keys.ENTER);
    }

    private static boolean pageWiderThanWindow(Browser browser) {
        return (Boolean) browser.script("return document.documentElement.scrollWidth > window.innerWidth");
    }

    private static String background(Browser browser) {
        return (String) browser.script("return getComputedStyle(document.getElementById('status-badge')).backgroundColor");
    }
}
