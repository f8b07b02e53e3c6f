package dev.cutover.transcription.whisper;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Command line: writes a scripted test model and its {@code .sha256}.
 * <pre>
 * java -cp target/classes:target/test-classes:... dev.cutover.transcription.whisper.TestModelGenerator OUT.bin
 *      [--dims small|tiny] [--sentence "hello world"]
 * </pre>
 * {@code small} (16-64 wide, 1 head, 1+1 layers) runs a clip in well under 100 ms, for tests; {@code tiny} has the
 * real tiny.en shape and cost, for benchmarks. Weights are F16 (ftype 1): whisper.cpp v1.7.1 aborts on F32
 * convolution kernels, so F32 (ftype 0) files are neither written nor loaded.
 */
public final class TestModelGenerator {
    public static final String DEFAULT_SENTENCE = "the quick brown fox jumps over the lazy dog";

    private TestModelGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        String dims = "small";
        String sentence = DEFAULT_SENTENCE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dims" -> dims = value(args, ++i);
                case "--sentence" -> sentence = value(args, ++i);
                case "-h", "--help" -> usage(0);
                default -> {
                    if (args[i].startsWith("--") || out != null) {
                        usage(2);
                    }
                    out = Path.of(args[i]);
                }
            }
        }
        if (out == null) {
            usage(2);
        }
        GgmlModelWriter.WrittenModel model = generate(out, dims, sentence);
        System.out.printf("%s  %s (%d bytes, dims %s, says \"%s\")%n", model.sha256(), model.file(), model.bytes(),
                dims, ScriptedSentence.of(sentence).expectedText());
    }

    public static GgmlModelWriter.WrittenModel generate(Path out, String dims, String sentence) throws IOException {
        ScriptedSentence script = ScriptedSentence.of(sentence);
        ModelDimensions dimensions = switch (dims) {
            case "small" -> ModelDimensions.small(script.script().length);
            case "tiny" -> ModelDimensions.tiny();
            default -> throw new IllegalArgumentException("--dims must be small or tiny, not " + dims);
        };
        return GgmlModelWriter.write(out, dimensions, script);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(2);
        }
        return args[i];
    }

    private static void usage(int status) {
        System.err.println("usage: TestModelGenerator OUT.bin [--dims small|tiny] [--sentence \"words ...\"]");
        System.exit(status);
    }
}
