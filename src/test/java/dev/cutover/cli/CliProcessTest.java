package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.rollout.RolloutApi;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java dev.cutover.App <command>} in its own process: main hands any command to the command line, the
 * process ends with its exit code, and none of the server is started on the way: no SLF4J, Jdbi, whisper, Hikari,
 * Flyway, nor Javalin or Jetty's server classes are loaded (verifying App still loads a dozen interfaces its wiring
 * names, e.g. Jetty's Handler, without initialising them). Prints the wall time of a whole {@code rollback} process;
 * bench/cli.sh measures the jar.
 */
class CliProcessTest {
    private static final List<String> SERVER_PACKAGES = List.of("org.slf4j.", "org.jdbi.", "io.github.givimad.",
            "io.javalin.Javalin ", "org.eclipse.jetty.server.Server ", "com.zaxxer.hikari.", "org.flywaydb.");

    @Test
    void mainDispatchesACommandAndTheProcessExitsWithItsCode() throws Exception {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            Finished status = java("-Xlog:class+load=info", "dev.cutover.App", "status", "--url", app.baseUrl(),
                    "--token", RolloutApi.ADMIN);
            assertThat(status.code()).as(status.out()).isZero();
            assertThat(status.out()).contains("status     ACTIVE");
            List<String> serverClasses = status.out().lines()
                    .filter(line -> line.contains("[class,load]"))
                    .filter(line -> SERVER_PACKAGES.stream().anyMatch(line::contains)).toList();
            assertThat(serverClasses).as("classes of the server loaded by the command line").isEmpty();

            Finished refused = java("dev.cutover.App", "complete", "--reason", "too early", "--url", app.baseUrl(),
                    "--token", RolloutApi.ADMIN);
            assertThat(refused.code()).as(refused.out()).isEqualTo(Cli.REFUSED);

            long started = System.nanoTime();
            Finished rollback = java("dev.cutover.App", "rollback", "--reason", "timed", "--url", app.baseUrl(),
                    "--token", RolloutApi.ADMIN);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(rollback.code()).as(rollback.out()).isZero();
            assertThat(RolloutApi.of(app).state().path("status").asText()).isEqualTo("ROLLED_BACK");
            System.out.println("rollback, a whole java process on the test classpath: " + millis + " ms");
        }
    }

    private static Finished java(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("cutover-cli", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the command line did not end within 60 s: " + command);
            }
            return new Finished(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private record Finished(int code, String out) {
    }
}
