package dev.cutover.ui;

import dev.cutover.testing.Browser;
import dev.cutover.testing.TestApp;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/** The admin UI in a real browser, as an engineer uses it: sign in, act with a reason, read what it shows. */
record AdminUi(Browser browser, TestApp app) {
    static final Duration SHOWN = Duration.ofSeconds(10);

    static AdminUi signedIn(Browser browser, TestApp app, String token) {
        AdminUi ui = new AdminUi(browser, app);
        browser.open(app.baseUrl() + "/admin/");
        ui.signIn(token);
        browser.awaitVisible("#console", SHOWN);
        browser.awaitVisible("#status-badge", SHOWN);
        return ui;
    }

    void signIn(String token) {
        WebElement field = browser.awaitVisible("#token", SHOWN);
        field.clear();
        field.sendKeys(token);
        browser.find("#signin-submit").click();
    }

    String status() {
        return browser.attribute("#status-badge", "data-status");
    }

    void awaitStatus(String status, Duration within) {
        browser.await(within, "status " + status, d -> status.equals(status()));
    }

    void awaitPhase(String name) {
        browser.awaitText("#phase-name", name, SHOWN);
    }

    /** Clicks the action's button and answers its confirmation with {@code reason}. */
    void act(String action, String reason) {
        browser.awaitVisible("#action-" + action, SHOWN).click();
        confirm(reason);
    }

    /** Types the reason into the open confirmation (when it asks for one) and confirms. */
    void confirm(String reason) {
        browser.awaitVisible("#confirm-dialog[open]", SHOWN);
        if (reason != null) {
            WebElement field = browser.awaitVisible("#confirm-reason", SHOWN);
            field.clear();
            field.sendKeys(reason);
        }
        browser.find("#confirm-ok").click();
    }

    /**
     * Presses Tab (keyboard only) until the focused element matches {@code css}; fails if it is not reached within
     * {@code maxPresses}. Returns how many presses it took.
     */
    int tabTo(String css, int maxPresses) {
        return pressUntil(Keys.TAB, css, maxPresses);
    }

    /** Shift+Tab (backwards) until the focused element matches {@code css}. */
    int tabBackTo(String css, int maxPresses) {
        return pressUntil(Keys.chord(Keys.SHIFT, Keys.TAB), css, maxPresses);
    }

    private int pressUntil(CharSequence key, String css, int maxPresses) {
        for (int presses = 1; presses <= maxPresses; presses++) {
            new Actions(browser.driver()).sendKeys(key).perform();
            if (Boolean.TRUE.equals(browser.script("return document.activeElement.matches(arguments[0])", css))) {
                return presses;
            }
        }
        throw new AssertionError(css + " not reached by keyboard within " + maxPresses + " Tab presses; at "
                + browser.script("return document.activeElement.outerHTML.slice(0, 200)"));
    }

    /** Keys typed into whatever has the focus (Keys.ENTER, text, …). */
    void type(CharSequence... keys) {
        new Actions(browser.driver()).sendKeys(keys).perform();
    }

    List<String> dialogList() {
        return browser.findAll("#confirm-list li").stream().map(WebElement::getText).toList();
    }

    String dialogTitle() {
        return browser.text("#confirm-title");
    }

    /** The console's errors but the failed requests a test provoked on purpose (e.g. "status of 401"). */
    List<String> unexpectedConsoleErrors(String... expected) {
        return browser.consoleErrors().stream().filter(message -> {
            for (String allowed : expected) {
                if (message.contains(allowed)) {
                    return false;
                }
            }
            return true;
        }).toList();
    }
}
