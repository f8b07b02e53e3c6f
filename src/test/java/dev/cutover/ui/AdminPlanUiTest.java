package dev.cutover.ui;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutover.rollout.GuardHarness;
import dev.cutover.rollout.RolloutApi;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Browser;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The admin UI's plan editor, allow/deny lists, history and migration report in headless Chromium against the real
 * app and PostgreSQL: the simulator's figures beside the edited plan before saving, a save with its reason in the
 * audit log, a conflicting save explained and retried on fresh data, an override whose note is markup shown as text,
 * the audit filter, the guard's runs filtered by outcome, and the report.
 */
class AdminPlanUiTest {
    private static final Duration UI_WAIT = Duration.ofSeconds(10);
    /** A simulation of 1,000 runs × 48 h takes a few seconds of a (shared) core. */
    private static final Duration SIMULATION_WAIT = Duration.ofSeconds(60);
    private static final Duration GUARD_INTERVAL = Duration.ofSeconds(15);
    private static final String CANARY_ERROR_THRESHOLD = "input[data-path='phases[2].rules[0].threshold']";
    private static final String CANARY_ERROR_MIN_SAMPLES = "input[data-path='phases[2].rules[0].minSamples']";

    @Test
    void thePlanEditorSimulatesTheEditedPlanSavesWithAReasonAndExplainsAConflictBeforeARetry() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser browser = Browser.start()) {
            RolloutApi rollout = RolloutApi.of(app);
            AdminApi admin = rollout.admin();
            new GuardHarness(clock, app).toCanary(); // 10 %, with error-rate rules the simulator can run
            AdminUi ui = AdminUi.signedIn(browser, app, RolloutApi.ADMIN);
            show(browser, "plan");

            browser.awaitVisible("#plan-phase-2", UI_WAIT);
            assertThat(browser.find("#plan-phase-2 summary").getText()).contains("canary").contains("current");
            assertThat(browser.find(CANARY_ERROR_THRESHOLD).getAttribute("value")).as("1 %, shown in percent").isEqualTo("1");
            assertThat(browser.find("#plan-autopilot").isSelected()).isFalse();

            // No client attempts measured yet: the engineer is asked for traffic, prefilled with 20 a minute.
            browser.awaitVisible("#simulation-whisper-traffic", UI_WAIT);
            assertThat(browser.find("#simulation-whisper-traffic").getAttribute("value")).isEqualTo("20");
            browser.awaitText("#simulation-summary", "At 20 whisper attempts a minute, phase 'canary'", SIMULATION_WAIT);
            assertThat(browser.find("#simulation-false-rollbacks").getText())
                    .contains("would wrongly roll back 0.0 % of healthy rollouts");
            assertThat(browser.find("#simulation-time-to-catch").getText()).contains("catch a 5.0 % error rate in")
                    .contains("min (median)");
            browser.screenshot("admin-plan");

            // Loosen the canary's error-rate rollback to 2 %: the simulator answers for the edited plan before saving.
            type(browser.find(CANARY_ERROR_THRESHOLD), "2");
            browser.awaitText("#plan-dirty", "1 unsaved change", UI_WAIT);
            browser.await(SIMULATION_WAIT, "the simulation of the edited plan", d -> !browser.find("#simulation-summary")
                    .getAttribute("class").contains("stale") && browser.find("#simulation-state").getText().contains("runs"));
            browser.find("#plan-save").click();
            confirm(ui, "threshold", "canary rollback at 2 % while the webspeech baseline is noisy");
            browser.awaitText("#notice", "Plan saved (version 2)", UI_WAIT);
            JsonNode saved = json(admin.get("/api/v1/rollout/plan"));
            assertThat(saved.path("planVersion").asLong()).isEqualTo(2);
            assertThat(saved.at("/plan/phases/2/rules/0/threshold").asDouble()).isEqualTo(0.02);
            JsonNode audited = rollout.lastAudited("rollout.plan");
            assertThat(audited.path("reason").asText()).isEqualTo("canary rollback at 2 % while the webspeech baseline is noisy");
            assertThat(audited.path("actor").asText()).isEqualTo("ops");

            // An edit in the page while someone else saves another change through the API.
            type(browser.find(CANARY_ERROR_MIN_SAMPLES), "80");
            browser.awaitText("#plan-dirty", "1 unsaved change", UI_WAIT);
            ObjectNode theirs = (ObjectNode) saved.path("plan").deepCopy();
            ((ObjectNode) theirs.at("/phases/3")).put("minimumSoak", "36h");
            HttpResponse<String> behindTheBack = admin.putPlan(theirs.toString(), 2, "shorter soak at 25 %");
            assertThat(behindTheBack.statusCode()).as(behindTheBack.body()).isEqualTo(200);
            browser.awaitVisible("#plan-stale", UI_WAIT);

            browser.find("#plan-save").click();
            confirm(ui, "minimum samples", "more samples before the canary rule acts");
            WebElement conflict = browser.awaitText("#plan-conflict", "someone saved the plan first", UI_WAIT);
            assertThat(conflict.getText()).contains("version 2 → 3").contains("minimum soak 48h → 36h")
                    .contains("shorter soak at 25 %");
            assertThat(json(admin.get("/api/v1/rollout/plan")).at("/plan/phases/2/rules/0/minSamples").asLong())
                    .as("nothing of the refused save was written").isEqualTo(50);

            browser.find("#plan-reapply").click();
            browser.awaitText("#plan-status", "re-applied on plan version 3", UI_WAIT);
            assertThat(browser.find(CANARY_ERROR_MIN_SAMPLES).getAttribute("value")).isEqualTo("80");
            browser.find("#plan-save").click();
            confirm(ui, "minimum samples", "more samples before the canary rule acts");
            browser.awaitText("#notice", "Plan saved (version 4)", UI_WAIT);
            JsonNode merged = json(admin.get("/api/v1/rollout/plan")).path("plan");
            assertThat(merged.at("/phases/2/rules/0/minSamples").asLong()).as("mine").isEqualTo(80);
            assertThat(merged.at("/phases/3/minimumSoak").asText()).as("theirs").isEqualTo("36h");
            assertThat(merged.at("/phases/2/rules/0/threshold").asDouble()).isEqualTo(0.02);

            // An invalid edit is refused in the page with the field named, and nothing is sent.
            type(browser.find("input[data-path='phases[2].minimumSoak']"), "soon");
            browser.find("#plan-save").click();
            assertThat(browser.awaitText("#plan-problems", "phases[2].minimumSoak", UI_WAIT).getText())
                    .contains("duration");

            // At 375 px the editor and the simulator stack, and only the tables scroll sideways.
            browser.driver().manage().window().setSize(new Dimension(375, 800));
            browser.await(UI_WAIT, "the page no wider than the window", d -> (Boolean) browser.script(
                    "return document.documentElement.scrollWidth <= window.innerWidth"));
            assertThat(browser.find("#plan-save").isDisplayed()).isTrue();
            browser.screenshot("admin-plan-375");

            assertThat(ui.unexpectedConsoleErrors("status of 409", "status of 400"))
                    .as("only the conflict and the missing traffic the test caused").isEmpty();
        }
    }

    @Test
    void overridesShowNotesAsTextTheAuditFiltersAndTheGuardRunsFilterByOutcomeAndTheReportRenders() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock); Browser browser = Browser.start()) {
            AdminApi admin = RolloutApi.of(app).admin();
            GuardHarness guard = new GuardHarness(clock, app);
            AdminUi ui = AdminUi.signedIn(browser, app, RolloutApi.ADMIN);

            // An allowlist entry whose note is markup: text on the page, never an element.
            show(browser, "lists");
            browser.awaitText("#allowlist", "Empty.", UI_WAIT);
            String note = "<img src=x onerror=alert(1)>";
            browser.find("#override-id").sendKeys("qa-laptop-7");
            browser.find("#override-note").sendKeys(note);
            new Select(browser.find("#override-subject")).selectByValue("session");
            browser.find("#override-add").click();
            assertThat(browser.awaitText("#allowlist", "qa-laptop-7", UI_WAIT).getText()).contains(note);
            assertThat(browser.findAll("#panel-lists img")).isEmpty();
            assertThat(browser.script("return document.querySelectorAll('img').length")).isEqualTo(0L);
            JsonNode overrides = json(admin.get(AdminApi.FLAG + "/overrides")).path("overrides");
            assertThat(overrides).hasSize(1);
            assertThat(overrides.get(0).path("note").asText()).isEqualTo(note);
            browser.screenshot("admin-lists");

            browser.find("#allowlist button[data-remove]").click();
            confirm(ui, "qa-laptop-7", "the QA laptop went back to the pool");
            browser.awaitText("#allowlist", "Empty.", UI_WAIT);
            assertThat(json(admin.get(AdminApi.FLAG + "/overrides")).path("overrides")).isEmpty();

            // Guard runs at canary: healthy ones, then whisper failing at 3 % until the guard rolls back.
            guard.toCanary();
            guard.run();
            guard.run();
            guard.attempts("whisper", 1_000, 30, 800);
            guard.attempts("webspeech", 2_000, 10, 800);
            guard.runUntil(4, run -> run.path("outcome").asText().equals("rollback"));

            // The audit log, newest first, narrowed by the filter and by action.
            show(browser, "history");
            browser.awaitText("#audit", "the QA laptop went back to the pool", UI_WAIT);
            browser.awaitText("#audit", "rollout.rollback", UI_WAIT);
            int all = rows(browser, "#audit tbody tr[data-id]");
            assertThat(all).isGreaterThanOrEqualTo(5); // created, 2 advances, add, remove, rollback
            browser.find("#audit-filter").sendKeys("QA laptop");
            browser.await(UI_WAIT, "the filter narrows the audit", d -> rows(browser, "#audit tbody tr[data-id]") == 1);
            assertThat(browser.find("#audit tbody tr[data-id]").getAttribute("data-action")).isEqualTo("override.remove");
            browser.find("#audit-filter").clear();
            browser.find("#audit-filter").sendKeys(Keys.BACK_SPACE);
            new Select(browser.find("#audit-action")).selectByValue("override.");
            browser.await(UI_WAIT, "the action select narrows the audit", d -> rows(browser, "#audit tbody tr[data-id]") == 2);
            browser.find("#audit tbody tr[data-id] details summary").click();
            assertThat(browser.find("#audit tbody tr[data-id] details pre").getText()).contains("qa-laptop-7");

            // The guard's runs, each rule's verdict as a badge, filtered by outcome.
            browser.awaitText("#evaluations", "rollback", UI_WAIT);
            int runs = rows(browser, "#evaluations tbody tr[data-id]");
            assertThat(runs).isGreaterThanOrEqualTo(3);
            assertThat(browser.findAll("#evaluations .verdict-FAIL")).isNotEmpty();
            new Select(browser.find("#evaluations-outcome")).selectByValue("rollback");
            browser.await(UI_WAIT, "only the rollback run", d -> rows(browser, "#evaluations tbody tr[data-id]") == 1);
            assertThat(browser.find("#evaluations tbody tr[data-id]").getAttribute("data-outcome")).isEqualTo("rollback");
            assertThat(browser.find("#evaluations tbody tr[data-id]").getText()).contains("canary").contains("acted");
            new Select(browser.find("#evaluations-outcome")).selectByValue("ok");
            browser.await(UI_WAIT, "the ok runs", d -> rows(browser, "#evaluations tbody tr[data-id]") == runs - 1);
            browser.screenshot("admin-history");

            // The report, with the note that the rollout is not at 100 %.
            show(browser, "report");
            browser.awaitText("#report", "Not ready yet.", UI_WAIT);
            assertThat(browser.find("#report-not-full").getText()).contains("not at 100 %");
            assertThat(browser.find("#report-reasons").getText()).contains("no rollbacks for a week");
            assertThat(browser.findAll("#report-criteria tbody tr")).hasSize(5);
            assertThat(browser.find("#report-criteria").getText()).contains("availability").contains("NO_DATA");
            assertThat(browser.find("#report-phases").getText()).contains("canary").contains("forced");
            browser.screenshot("admin-report");

            assertThat(ui.unexpectedConsoleErrors("status of 409", "status of 400"))
                    .as("only the conflict and the missing traffic the test caused").isEmpty();
        }
    }

    // ---- the app and the page ------------------------------------------------------------------------------------

    private static void show(Browser browser, String view) {
        browser.find("nav.tabs a[data-view='" + view + "']").click();
        browser.awaitVisible("#view-" + view, UI_WAIT);
    }

    /** Replaces an input's text as a person would: select all, type. */
    private static void type(WebElement input, String text) {
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), text);
    }

    /** Checks the open confirmation names {@code about}, then answers it with {@code reason}. */
    private static void confirm(AdminUi ui, String about, String reason) {
        assertThat(ui.browser().awaitVisible("#confirm-dialog[open]", UI_WAIT).getText()).contains(about);
        ui.confirm(reason);
        ui.browser().await(UI_WAIT, "the dialog closed", d -> ui.browser().findAll("#confirm-dialog[open]").isEmpty());
    }

    private static int rows(Browser browser, String css) {
        return browser.findAll(css).size();
    }
}
