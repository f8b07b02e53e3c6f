package dev.cutover.ops;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutover.testing.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the cron scripts under {@code scripts/}, run as cron would: {@code bash script} in a clean environment
 * (PATH, a temporary HOME and only the variables given), stdout and stderr together, since cron mails both.
 */
record CronScript(Path path) {
    static final CronScript HEALTH_CHECK = new CronScript(Path.of("scripts", "health_check.sh"));
    static final CronScript CHECK_METRICS = new CronScript(Path.of("scripts", "check_metrics.sh"));

    /** What one run printed and how it exited. */
    record Run(int exitCode, String output) {
    }

    Run run(Map<String, String> env) {
        try {
            Path home = Files.createTempDirectory("cutover-cron-home");
            ProcessBuilder builder = new ProcessBuilder("bash", path.toString()).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            builder.environment().put("HOME", home.toString());
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(path + " did not finish within 60 s");
            }
            return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    /** Skips the test where bash, curl or jq is missing, except on CI, which installs them (.ci/run) and must run it. */
    static void assumeToolsPresent() {
        boolean present = Machine.runs("bash", "--version") && Machine.runs("curl", "--version")
                && Machine.runs("jq", "--version");
        assumeTrue(present || System.getenv("CI") != null, "bash, curl and jq are needed (apt-get install curl jq); CI must have them");
    }

    /** A base URL where nothing listens: a port the system gave out, then closed. */
    static String closedUrl() {
        return "http://127.0.0.1:" + Machine.freePort();
    }
}
