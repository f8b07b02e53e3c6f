package dev.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestRedis;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shell block a runbook (or the README) marks as runnable — a fence opened with {@code ```bash runnable},
 * optionally {@code exit=N} when the block shows a refusal — runs with bash against a started app, in the order the
 * file gives them, one app per file. The environment is what an operator's shell would hold: CUTOVER_URL,
 * ADMIN_TOKEN, WHISPER_API_KEY, REDIS_URL, DATA_DIR, and {@code cutover} on PATH (the operator command line of
 * this build). A command that fails fails the build, so the runbooks cannot rot.
 */
class RunbookTest {
    private static final Pattern OPENING = Pattern.compile("^```bash runnable(?<attributes>.*)$");
    private static final Pattern EXIT = Pattern.compile("\\bexit=(\\d+)\\b");
    private static final String ADMIN_SECRET = "runbook-admin-secret";
    private static final String API_KEY = "runbook-api-key";
    private static final long BLOCK_TIMEOUT_SECONDS = 120;

    private static final Map<Path, TestApp> APPS = new LinkedHashMap<>();
    private static Path bin;

    record Block(Path file, int line, String script, int expectedExit) {
        String name() {
            return file + ":" + line;
        }
    }

    @TestFactory
    Stream<DynamicNode> every_runnable_block_in_the_runbooks_and_readme_runs_against_a_started_app() {
        return documents().stream().map(file -> {
            List<Block> blocks = blocks(file);
            return DynamicContainer.dynamicContainer(file.toString(),
                    blocks.stream().map(block -> DynamicTest.dynamicTest(block.name(), () -> run(block))));
        });
    }

    @Test
    void the_runbooks_the_issue_names_exist_and_each_has_runnable_commands() {
        for (String name : List.of("deploy.md", "rollout.md", "rollback.md", "alerts.md", "troubleshooting.md")) {
            Path file = Paths.get("runbooks", name);
            assertTrue(Files.isRegularFile(file), file + " is missing");
            assertFalse(blocks(file).isEmpty(), file + " has no ```bash runnable block");
        }
    }

    @Test
    void a_block_is_read_with_its_line_and_expected_exit_and_unmarked_blocks_are_left_alone() throws IOException {
        Path file = Files.createTempFile("runbook", ".md");
        Files.writeString(file, String.join("\n",
                "# title", "```bash", "docker compose up -d", "```",
                "```bash runnable", "cutover status", "```",
                "```bash runnable exit=1", "cutover advance --reason early", "```", ""));
        List<Block> blocks = blocks(file);
        assertEquals(2, blocks.size());
        assertEquals(new Block(file, 5, "cutover status\n", 0), blocks.get(0));
        assertEquals(new Block(file, 8, "cutover advance --reason early\n", 1), blocks.get(1));
    }

    @AfterAll
    static void stopApps() {
        APPS.values().forEach(TestApp::close);
        APPS.clear();
    }

    private static List<Path> documents() {
        List<Path> files = new ArrayList<>();
        files.add(Paths.get("README.md"));
        try (Stream<Path> runbooks = Files.list(Paths.get("runbooks"))) {
            runbooks.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static List<Block> blocks(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher opening = OPENING.matcher(lines.get(i));
            if (!opening.matches()) {
                continue;
            }
            Matcher exit = EXIT.matcher(opening.group("attributes"));
            int expectedExit = exit.find() ? Integer.parseInt(exit.group(1)) : 0;
            StringBuilder script = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).startsWith("```")) {
                script.append(lines.get(j)).append('\n');
                j++;
            }
            if (j == lines.size()) {
                throw new AssertionError(file + ":" + (i + 1) + ": runnable block never closed");
            }
            blocks.add(new Block(file, i + 1, script.toString(), expectedExit));
            i = j;
        }
        return blocks;
    }

    private static void run(Block block) throws IOException, InterruptedException {
        TestApp app = appFor(block.file());
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + block.script())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("CUTOVER_URL", app.baseUrl());
        env.put("ADMIN_TOKEN", ADMIN_SECRET);
        env.put("WHISPER_API_KEY", API_KEY);
        env.put("REDIS_URL", app.env().getOrDefault("REDIS_URL", TestRedis.url()));
        env.put("DATA_DIR", app.env().get("DATA_DIR"));
        env.put("PATH", commandDirectory() + File.pathSeparator + System.getenv("PATH"));
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(BLOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(block.name() + " did not finish in " + BLOCK_TIMEOUT_SECONDS + " s");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println("== " + block.name() + "\n" + block.script() + "-- exit " + process.exitValue() + "\n" + text);
        assertEquals(block.expectedExit(), process.exitValue(),
                () -> block.name() + " exited " + process.exitValue() + " (expected " + block.expectedExit() + "):\n"
                        + block.script() + "--- output ---\n" + text);
    }

    private static synchronized TestApp appFor(Path file) {
        return APPS.computeIfAbsent(file, f -> TestApp.builder()
                .env("ADMIN_TOKEN", "ops:" + ADMIN_SECRET)
                .env("WHISPER_API_KEY", API_KEY)
                .env("REDIS_URL", TestRedis.url())
                .start());
    }

    /** A directory holding {@code cutover}: the operator command line of this build, as the image puts it on PATH. */
    private static synchronized Path commandDirectory() throws IOException {
        if (bin == null) {
            bin = Files.createTempDirectory("runbook-bin");
            Path command = bin.resolve("cutover");
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Files.writeString(command, "#!/bin/sh\nexec '" + java + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '"
                    + System.getProperty("java.class.path") + "' dev.cutover.App \"$@\"\n");
            Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }
}
