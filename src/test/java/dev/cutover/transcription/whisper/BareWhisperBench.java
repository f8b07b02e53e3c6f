package dev.cutover.transcription.whisper;

import io.github.givimad.whisperjni.WhisperContext;
import io.github.givimad.whisperjni.WhisperFullParams;
import io.github.givimad.whisperjni.WhisperJNI;
import io.github.givimad.whisperjni.WhisperSamplingStrategy;
import io.github.givimad.whisperjni.WhisperState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Times bare whisper-jni calls (no pool, no HTTP) so the service's overhead can be measured against them.
 * <pre>
 * java -cp target/classes:target/test-classes:... dev.cutover.transcription.whisper.BareWhisperBench MODEL.bin
 *      [--runs 5] [--threads N] [--clips 3,30] [--modes auto,full] [--native-dir data/native]
 * </pre>
 * Prints one line per clip length and audio_ctx mode: median and min wall time of {@code whisper_full} and the
 * real-time factor (median / clip length). Clips are reproducible noise; one warm-up call precedes each series.
 */
public final class BareWhisperBench {
    private BareWhisperBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: BareWhisperBench MODEL.bin [--runs 5] [--threads N] [--clips 3,30]"
                    + " [--modes auto,full] [--native-dir data/native]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        int runs = 5;
        int threads = Runtime.getRuntime().availableProcessors();
        double[] clips = {3, 30};
        List<AudioCtxMode> modes = List.of(AudioCtxMode.AUTO, AudioCtxMode.FULL);
        Path nativeDir = Path.of("data", "native");
        for (int i = 1; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--clips" -> clips = Arrays.stream(value.split(",")).mapToDouble(Double::parseDouble).toArray();
                case "--modes" -> modes = Arrays.stream(value.split(",")).map(AudioCtxMode::parse).toList();
                case "--native-dir" -> nativeDir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ModelFileCheck.ModelInfo info = ModelFileCheck.inspect(model);
        WhisperJNI jni = WhisperNative.load(nativeDir);
        System.out.printf(Locale.ROOT, "model=%s state=%d layers=%d+%d threads=%d cpu=%s%n", model.getFileName(),
                info.dims().audioState(), info.dims().audioLayers(), info.dims().textLayers(), threads,
                jni.getSystemInfo().replaceAll("\\s+", " "));
        try (WhisperContext context = jni.initNoState(model); WhisperState state = jni.initState(context)) {
            for (double seconds : clips) {
                float[] samples = noise(seconds);
                for (AudioCtxMode mode : modes) {
                    int audioCtx = mode.audioCtxFor(seconds, info.dims().audioCtx());
                    WhisperFullParams params = params(threads, audioCtx);
                    String text = run(jni, context, state, params, samples);
                    List<Double> millis = new ArrayList<>();
                    for (int r = 0; r < runs; r++) {
                        long started = System.nanoTime();
                        run(jni, context, state, params, samples);
                        millis.add((System.nanoTime() - started) / 1e6);
                    }
                    millis.sort(Double::compare);
                    double median = millis.get(millis.size() / 2);
                    System.out.printf(Locale.ROOT,
                            "clip=%.1fs audio_ctx=%s(%d) runs=%d median_ms=%.0f min_ms=%.0f rtf=%.3f text=\"%s\"%n",
                            seconds, mode.label(), audioCtx, runs, median, millis.get(0), median / 1000 / seconds,
                            text.strip());
                }
            }
        }
    }

    private static WhisperFullParams params(int threads, int audioCtx) {
        WhisperFullParams params = new WhisperFullParams(WhisperSamplingStrategy.GREEDY);
        params.nThreads = threads;
        params.audioCtx = audioCtx;
        params.language = "en";
        params.noContext = true;
        params.nMaxTextCtx = 0;
        params.temperatureInc = 0f;
        params.greedyBestOf = 1;
        params.printProgress = false;
        params.printTimestamps = false;
        return params;
    }

    private static String run(WhisperJNI jni, WhisperContext context, WhisperState state, WhisperFullParams params,
            float[] samples) {
        int rc = jni.fullWithState(context, state, params, samples, samples.length);
        if (rc != 0) {
            throw new IllegalStateException("whisper_full failed with " + rc);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < jni.fullNSegmentsFromState(state); i++) {
            text.append(jni.fullGetSegmentTextFromState(state, i));
        }
        return text.toString();
    }

    private static float[] noise(double seconds) {
        Random random = new Random(42);
        float[] samples = new float[(int) Math.max(WhisperInput.MIN_SAMPLES, Math.round(seconds * 16_000))];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) (random.nextGaussian() * 0.1);
        }
        return samples;
    }
}
