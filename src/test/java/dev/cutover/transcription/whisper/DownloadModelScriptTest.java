package dev.cutover.transcription.whisper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs models/download-model.sh offline (a copy in a temp dir, sources as file:// URLs). */
class DownloadModelScriptTest {
    @TempDir
    Path dir;

    record Run(int exitCode, String output) {
    }

    @Test
    void unknownNamesAndMissingArgumentsAreRefusedWithUsage() throws Exception {
        Run unknown = run(Map.of(), "base.fr");
        Run none = run(Map.of());

        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown model 'base.fr'").contains("usage:").contains("base.en");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.output()).contains("usage:");
    }

    @Test
    void theListNamesEveryDownloadableModelWithItsSize() throws Exception {
        Run list = run(Map.of(), "--list");

        assertThat(list.exitCode()).isZero();
        assertThat(list.output()).contains("tiny.en").contains("base.en").contains("142 MiB")
                .contains("large-v3-turbo");
    }

    @Test
    void aDownloadThatDoesNotMatchThePublishedChecksumIsNotInstalled() throws Exception {
        Path source = Files.createDirectories(dir.resolve("mirror"));
        Files.write(source.resolve("ggml-base.en.bin"), "not the real model".getBytes(StandardCharsets.UTF_8));

        Run run = run(Map.of("WHISPER_MODEL_BASE_URL", source.toUri().toString()), "base.en");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("checksum mismatch");
        assertThat(dir.resolve("ggml-base.en.bin")).doesNotExist();
        assertThat(dir.resolve("ggml-base.en.bin.partial")).doesNotExist();
        assertThat(dir.resolve("ggml-base.en.bin.sha256")).doesNotExist();
    }

    private Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path script = dir.resolve("download-model.sh");
        if (!Files.exists(script)) {
            Files.copy(Path.of("models", "download-model.sh"), script);
        }
        ProcessBuilder builder = new ProcessBuilder();
        builder.command().addAll(List.of("bash", script.toString()));
        builder.command().addAll(List.of(args));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}
