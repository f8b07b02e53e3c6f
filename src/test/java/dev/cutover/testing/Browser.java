package dev.cutover.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code /usr/bin/chromium}, through its {@code /usr/bin/chromedriver}), with a
 * fake microphone that plays a WAV file, for the admin UI and demo tests. Skipped on a developer machine without
 * Chromium ({@code apt-get install chromium chromium-driver}); on CI ({@code CI} set) it must run. Every console
 * message is kept, so a test can require none at level SEVERE. Close when done.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path ARTIFACTS = Path.of("target", "browser-artifacts");

    private final ChromeDriver driver;
    private final List<LogEntry> console = new ArrayList<>();

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** A desktop-sized window (1280 × 900). */
    public static Browser start() {
        return start(1280, 900, null);
    }

    /**
     * A window of the given size whose microphone plays {@code microphoneWav} (looped, from the moment a page opens the
     * microphone; null: silence).
     */
    public static Browser start(int width, int height, Path microphoneWav) {
        assumeTrue(available() || System.getenv("CI") != null, "needs /usr/bin/chromium and /usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--window-size=" + width + "," + height);
        if (microphoneWav != null) {
            options.addArguments("--use-file-for-fake-audio-capture=" + microphoneWav.toAbsolutePath());
        }
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(width, height));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return new Browser(driver);
    }

    public WebDriver driver() {
        return driver;
    }

    public Browser open(String url) {
        driver.get(url);
        return this;
    }

    /**
     * The text of the element matching {@code css}, read again if the page redrew it meanwhile (the admin UI redraws
     * its live panels every poll).
     */
    public String text(String css) {
        return read(() -> find(css).getText());
    }

    public String attribute(String css, String name) {
        return read(() -> find(css).getAttribute(name));
    }

    public boolean displayed(String css) {
        return read(() -> {
            List<WebElement> found = findAll(css);
            return !found.isEmpty() && found.get(0).isDisplayed();
        });
    }

    private static <T> T read(java.util.function.Supplier<T> reading) {
        for (int attempt = 1; ; attempt++) {
            try {
                return reading.get();
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits up to {@code timeout} until {@code condition} returns a non-null, non-false value, and returns it. */
    public <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
        wait.withMessage(() -> what + "; page text: " + abbreviated(bodyText()));
        wait.ignoring(StaleElementReferenceException.class);
        return wait.until(condition);
    }

    /** Waits until the element matching {@code css} is displayed and its text contains {@code text}. */
    public WebElement awaitText(String css, String text, Duration timeout) {
        return await(timeout, css + " showing '" + text + "'", d -> {
            for (WebElement element : d.findElements(By.cssSelector(css))) {
                if (element.isDisplayed() && element.getText().contains(text)) {
                    return element;
                }
            }
            return null;
        });
    }

    public WebElement awaitVisible(String css, Duration timeout) {
        return await(timeout, css + " visible", d -> {
            for (WebElement element : d.findElements(By.cssSelector(css))) {
                if (element.isDisplayed()) {
                    return element;
                }
            }
            return null;
        });
    }

    public Object script(String javascript, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(javascript, args);
    }

    public Object asyncScript(String javascript, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(javascript, args);
    }

    public String bodyText() {
        try {
            return driver.findElement(By.tagName("body")).getText();
        } catch (RuntimeException e) {
            return "(no body: " + e.getMessage() + ")";
        }
    }

    /** Every console message since the last call (and since the browser started), oldest first. */
    public List<LogEntry> console() {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
        return List.copyOf(console);
    }

    /** The console's SEVERE entries: script errors, console.error, and failed requests. */
    public List<String> consoleErrors() {
        return console().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    /** A screenshot of the whole page, under {@code target/browser-artifacts/}; returns its path. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(ARTIFACTS);
            Path file = ARTIFACTS.resolve(name + ".png");
            Object height = script("return Math.ceil(document.documentElement.scrollHeight)");
            Dimension size = driver.manage().window().getSize();
            int fullHeight = Math.min(8000, Math.max(size.getHeight(), ((Number) height).intValue()));
            driver.manage().window().setSize(new Dimension(size.getWidth(), fullHeight));
            try {
                Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.manage().window().setSize(size);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 2_000 ? text : text.substring(0, 2_000) + "…";
    }

    @Override
    public void close() {
        driver.quit();
    }
}
