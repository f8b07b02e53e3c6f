package dev.cutover.transcription.whisper;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs models/download-model.sh offline: a copy in a temp dir, sources as file:// URLs or a mirror on loopback that
 * can cut a transfer short, and a catalogue of its own for the files it serves (the published models cannot be made
 * here).
 */
class DownloadModelScriptTest {
    private static final byte[] MODEL = randomBytes(300_000);

    @TempDir
    Path dir;

    private Mirror mirror;

    @AfterEach
    void stopMirror() {
        if (mirror != null) {
            mirror.server.stop(0);
        }
    }

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

    @Test
    void aModelOfAnExtraCatalogueIsDownloadedVerifiedAndItsChecksumWrittenBesideIt() throws Exception {
        mirror = Mirror.start(0);

        Run run = run(mirror.env(catalogue("ours")), "ours");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("ggml-ours.bin"))).isEqualTo(MODEL);
        assertThat(Files.readString(dir.resolve("ggml-ours.bin.sha256")))
                .isEqualTo(DigestUtils.sha256Hex(MODEL) + "  ggml-ours.bin\n");
        assertThat(dir.resolve("ggml-ours.bin.partial")).doesNotExist();
        assertThat(mirror.ranges).containsExactly("none");
    }

    @Test
    void aTransferCutShortResumesFromWhereItStoppedInTheSameRun() throws Exception {
        mirror = Mirror.start(1);

        Run run = run(mirror.env(catalogue("ours")), "ours");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("resuming (attempt 2 of 3)");
        assertThat(Files.readAllBytes(dir.resolve("ggml-ours.bin"))).isEqualTo(MODEL);
        assertThat(mirror.ranges).containsExactly("none", "bytes=" + MODEL.length / 2 + "-");
    }

    @Test
    void aDownloadThatKeepsFailingKeepsItsPartialFileAndTheNextRunContinuesIt() throws Exception {
        mirror = Mirror.start(3);
        Map<String, String> env = mirror.env(catalogue("ours"));

        Run failed = run(env, "ours");

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.output()).contains("run the same command again to resume");
        assertThat(dir.resolve("ggml-ours.bin")).doesNotExist();
        long kept = Files.size(dir.resolve("ggml-ours.bin.partial"));
        assertThat(kept).isPositive().isLessThan(MODEL.length);

        Run resumed = run(env, "ours");

        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("Resuming ggml-ours.bin");
        assertThat(Files.readAllBytes(dir.resolve("ggml-ours.bin"))).isEqualTo(MODEL);
        assertThat(mirror.ranges.get(mirror.ranges.size() - 1)).isEqualTo("bytes=" + kept + "-");
    }

    @Test
    void anExtraCatalogueCannotRedefineAPublishedModel() throws Exception {
        mirror = Mirror.start(0);

        Run run = run(mirror.env(catalogue("base.en")), "base.en");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("checksum mismatch").contains("a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002");
        assertThat(dir.resolve("ggml-base.en.bin")).doesNotExist();
    }

    /** A catalogue file naming {@link #MODEL} as {@code name}, with no SHA-1. */
    private Path catalogue(String name) throws IOException {
        return Files.writeString(dir.resolve("catalogue.txt"), "# ours\n" + name + "|300 KB|"
                + DigestUtils.sha256Hex(MODEL) + "|-\n");
    }

    /**
     * Serves {@link #MODEL} under any ggml-*.bin name with HTTP ranges, cutting the first {@code cuts} transfers off
     * halfway through what they asked for; records each request's Range header.
     */
    private record Mirror(HttpServer server, List<String> ranges) {
        static Mirror start(int cuts) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            List<String> ranges = new CopyOnWriteArrayList<>();
            AtomicInteger remainingCuts = new AtomicInteger(cuts);
            server.createContext("/", exchange -> serve(exchange, ranges, remainingCuts));
            server.start();
            return new Mirror(server, ranges);
        }

        Map<String, String> env(Path catalogue) {
            return Map.of("WHISPER_MODEL_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/models",
                    "WHISPER_MODEL_CATALOGUE", catalogue.toString());
        }

        private static void serve(HttpExchange exchange, List<String> ranges, AtomicInteger cuts) throws IOException {
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "none" : range);
            int from = range == null ? 0 : Integer.parseInt(range.replaceAll("^bytes=(\\d+)-$", "$1"));
            if (from >= MODEL.length) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + MODEL.length);
                exchange.sendResponseHeaders(416, -1);
                exchange.close();
                return;
            }
            if (from > 0) {
                exchange.getResponseHeaders().set("Content-Range",
                        "bytes " + from + "-" + (MODEL.length - 1) + "/" + MODEL.length);
            }
            exchange.sendResponseHeaders(from > 0 ? 206 : 200, MODEL.length - from);
            OutputStream body = exchange.getResponseBody();
            if (cuts.getAndDecrement() > 0) {
                int half = from + Math.max(1, (MODEL.length - from) / 2);
                body.write(Arrays.copyOfRange(MODEL, from, half));
                body.flush();
                exchange.close(); // fewer bytes than announced: the client sees the transfer cut short
                return;
            }
            body.write(MODEL, from, MODEL.length - from);
            exchange.close();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(7).nextBytes(bytes);
        return bytes;
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
