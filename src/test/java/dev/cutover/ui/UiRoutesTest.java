package dev.cutover.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.Browser;
import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UiRoutesTest {
    private static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theAdminPageIsServedWithAPolicyThatAllowsNoInlineScript() {
        HttpResponse<String> page = app.get("/admin/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void thePagesAreServedWithAndWithoutTheirSlash() {
        for (String path : new String[] {"/admin", "/admin/", "/demo", "/demo/"}) {
            assertThat(app.get(path).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void theChartLibraryComesFromItsWebJarUnderAVersionlessPath() {
        HttpResponse<String> library = app.get("/vendor/uplot/dist/uPlot.esm.js");
        assertThat(library.statusCode()).isEqualTo(200);
        assertThat(library.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(library.body()).contains("export");
        assertThat(app.get("/vendor/uplot/dist/uPlot.min.css").statusCode()).isEqualTo(200);
    }

    @Test
    void anUnknownFileIsAJson404() {
        HttpResponse<String> missing = app.get("/admin/nope.js");
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void nothingOutsideUiIsServedWhateverThePathSays() {
        // The migrations are on the classpath beside ui/ (db/migration/): one step up from the served folder.
        assertThat(UiRoutesTest.class.getResource("/db/migration/V1__flag_store.sql")).isNotNull();
        for (String path : new String[] {"/admin/../db/migration/V1__flag_store.sql",
                "/admin/%2e%2e/%2e%2e/db/migration/V1__flag_store.sql", "/admin/..%2f..%2fdb/migration/V1__flag_store.sql",
                "/client/..%2Fdb%2Fmigration%2FV1__flag_store.sql", "/demo/..%5c..%5cdb%5cmigration%5cV1__flag_store.sql",
                "/vendor/uplot/../../../../db/migration/V1__flag_store.sql", "/admin/../../dev/cutover/App.class",
                "/admin//etc/passwd", "/admin/%00"}) {
            HttpResponse<String> response = app.get(path);
            assertThat(response.statusCode()).as(path).isBetween(400, 499);
            assertThat(response.body()).as(path).doesNotContainIgnoringCase("CREATE TABLE").doesNotContain("root:");
        }
    }

    @Test
    void chromiumOpensTheAdminPage() {
        try (Browser browser = Browser.start()) {
            browser.open(app.baseUrl() + "/admin/");
            browser.awaitText("#signin", "Admin token", Duration.ofSeconds(10));
            browser.script("console.error('probe')");
            assertThat(browser.consoleErrors()).anySatisfy(m -> assertThat(m).contains("probe"));
        }
    }
}
