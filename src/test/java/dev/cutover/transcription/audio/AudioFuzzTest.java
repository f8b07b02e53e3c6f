package dev.cutover.transcription.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cutover.http.ApiError;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestAudio.Encoding;
import dev.cutover.transcription.AudioClip;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Malformed uploads from a seeded generator: each must end in a 400/413/415 ApiError (or, where the damage leaves
 * real audio behind, a valid clip), never another exception, and the decoder must keep working afterwards.
 */
class AudioFuzzTest {
    private static final long SEED = 20_261_123L;
    private static final Set<Integer> CLIENT_ERRORS = Set.of(400, 413, 415);

    private final Random random = new Random(SEED);
    private final UploadAudioDecoder decoder = new UploadAudioDecoder(new AudioLimits(4L << 20, 60),
            new FfmpegSettings("ffmpeg", Duration.ofSeconds(20), 2, Duration.ofSeconds(20)));
    private final byte[] validWav = TestAudio.toneWav(440, 0.01, 16_000, 2, Encoding.PCM_S16);

    @Test
    void everyMalformedUploadIsAClientErrorOrAValidClipAndNothingElse() {
        List<Case> cases = new ArrayList<>();
        cases.addAll(truncationsAtEveryOffset());
        cases.addAll(lyingChunkSizes(120));
        cases.addAll(randomBytes(120));
        cases.addAll(absurdHeaderFields());
        if (TestAudio.ffmpegAvailable() || System.getenv("CI") != null) {
            cases.addAll(randomBytesAfterEachMagic(8));
        }

        int errors = 0;
        Map<String, int[]> byKind = new TreeMap<>();
        for (Case c : cases) {
            boolean rejected = outcomeIsSafe(c);
            errors += rejected ? 1 : 0;
            byKind.computeIfAbsent(c.name().split(" ")[0], k -> new int[2])[rejected ? 0 : 1]++;
        }
        byKind.forEach((kind, counts) -> System.out.printf("  %s: %d rejected, %d decoded%n", kind, counts[0],
                counts[1]));

        assertThat(cases).hasSizeGreaterThanOrEqualTo(500);
        System.out.printf("audio fuzz: %d inputs, %d rejected with 4xx, %d decoded to a valid clip%n",
                cases.size(), errors, cases.size() - errors);
        assertThat(decoder.decode(validWav).samples()).hasSize(160);
        assertThat(decoder.health().report().details()).containsEntry("ffmpeg_running", 0);
    }

    /** Returns whether the case ended in an ApiError; fails the test on anything unsafe. */
    private boolean outcomeIsSafe(Case c) {
        AudioClip clip;
        try {
            clip = decoder.decode(c.bytes());
        } catch (ApiError e) {
            assertThat(e.status()).as("%s: %s", c.name(), e.getMessage()).isIn(CLIENT_ERRORS);
            return true;
        } catch (Throwable t) {
            throw new AssertionError(c.name() + " threw " + t, t);
        }
        if (c.mustFail()) {
            fail(c.name() + " decoded to " + clip.samples().length + " samples but must be rejected");
        }
        assertThat(clip.samples()).as(c.name()).isNotEmpty();
        for (float s : clip.samples()) {
            if (!(s >= -1f && s <= 1f)) {
                fail(c.name() + " produced sample " + s);
            }
        }
        return false;
    }

    private List<Case> truncationsAtEveryOffset() {
        List<Case> cases = new ArrayList<>();
        for (int length = 0; length < validWav.length; length++) {
            // Cut inside the header it must fail; cut inside the data the frames present are real audio.
            cases.add(new Case("truncated at " + length, Arrays.copyOf(validWav, length), length < 48));
        }
        return cases;
    }

    private List<Case> lyingChunkSizes(int count) {
        List<Case> cases = new ArrayList<>();
        int[] sizeOffsets = {4, 16, 40};
        for (int i = 0; i < count; i++) {
            byte[] wav = validWav.clone();
            int offset = sizeOffsets[random.nextInt(sizeOffsets.length)];
            int lie = switch (random.nextInt(4)) {
                case 0 -> -1;
                case 1 -> Integer.MIN_VALUE;
                case 2 -> random.nextInt(64);
                default -> random.nextInt();
            };
            ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, lie);
            cases.add(new Case("size at " + offset + " = " + Integer.toUnsignedString(lie), wav, false));
        }
        return cases;
    }

    private List<Case> randomBytes(int count) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[random.nextInt(3000)];
            random.nextBytes(bytes);
            if (i % 2 == 0 && bytes.length >= 12) {
                // Keep a valid RIFF/WAVE header so the chunk walker sees the garbage.
                System.arraycopy(validWav, 0, bytes, 0, 12);
            }
            cases.add(new Case("random " + bytes.length + " bytes #" + i, bytes, i % 2 == 0));
        }
        return cases;
    }

    private List<Case> absurdHeaderFields() {
        List<Case> cases = new ArrayList<>();
        for (int channels : new int[] {0, 33, 255, 65535}) {
            cases.add(withFmt("channels " + channels, fmt -> fmt.putShort(2, (short) channels)));
        }
        for (long rate : new long[] {0, 1, 999, 384_001, 0x7FFF_FFFFL, 0xFFFF_FFFFL}) {
            cases.add(withFmt("rate " + rate, fmt -> fmt.putInt(4, (int) rate)));
        }
        for (int bits : new int[] {0, 1, 7, 12, 20, 64, 65535}) {
            cases.add(withFmt("PCM bits " + bits, fmt -> fmt.putShort(14, (short) bits)));
        }
        for (int bits : new int[] {8, 16, 24}) {
            cases.add(withFmt("float bits " + bits, fmt -> fmt.putShort(0, (short) 3).putShort(14, (short) bits)));
        }
        for (int blockAlign : new int[] {0, 1, 2, 3, 5, 65535}) {
            cases.add(withFmt("block align " + blockAlign, fmt -> fmt.putShort(12, (short) blockAlign)));
        }
        for (int tag : new int[] {0, 2, 6, 7, 0x55, 0xFFFF, 0xFFFE}) {
            cases.add(withFmt("format tag " + tag, fmt -> fmt.putShort(0, (short) tag)));
        }
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] samples = new float[100];
            samples[random.nextInt(100)] = bad;
            cases.add(new Case("float32 " + bad, TestAudio.wav(samples, 16_000, 1, Encoding.FLOAT32, false), true));
            cases.add(new Case("float64 " + bad, TestAudio.wav(samples, 16_000, 3, Encoding.FLOAT64, false), true));
        }
        cases.add(new Case("empty data chunk",
                TestAudio.wav(TestAudio.fmtChunk(Encoding.PCM_S16, 1, 16_000, false), new byte[0]), true));
        cases.add(new Case("fmt chunk of 15 bytes",
                TestAudio.wav(Arrays.copyOf(TestAudio.fmtChunk(Encoding.PCM_S16, 1, 16_000, false), 15),
                        new byte[100]), true));
        byte[] shortExtensible = Arrays.copyOf(TestAudio.fmtChunk(Encoding.PCM_S16, 1, 16_000, true), 30);
        cases.add(new Case("extensible fmt cut to 30 bytes", TestAudio.wav(shortExtensible, new byte[100]), true));
        byte[] unknownGuid = TestAudio.fmtChunk(Encoding.PCM_S16, 1, 16_000, true);
        unknownGuid[39] ^= 0x55;
        cases.add(new Case("extensible with unknown GUID", TestAudio.wav(unknownGuid, new byte[100]), true));
        return cases;
    }

    private Case withFmt(String name, Consumer<ByteBuffer> damage) {
        byte[] wav = validWav.clone();
        damage.accept(ByteBuffer.wrap(wav, 20, 16).slice().order(ByteOrder.LITTLE_ENDIAN));
        return new Case(name, wav, true);
    }

    private List<Case> randomBytesAfterEachMagic(int perFormat) {
        HexFormat hex = HexFormat.of();
        List<byte[]> magics = List.of("OggS".getBytes(StandardCharsets.US_ASCII),
                "fLaC".getBytes(StandardCharsets.US_ASCII), hex.parseHex("1A45DFA3"), hex.parseHex("4944330400"),
                hex.parseHex("FFFB9064"), hex.parseHex("FFF150802FFFFC"), hex.parseHex("0000001C6674797069736F6D"));
        List<Case> cases = new ArrayList<>();
        for (byte[] magic : magics) {
            for (int i = 0; i < perFormat; i++) {
                byte[] bytes = new byte[magic.length + random.nextInt(4000)];
                random.nextBytes(bytes);
                System.arraycopy(magic, 0, bytes, 0, magic.length);
                // ffmpeg is lenient and may find a frame or two in noise; that is audio, not a crash.
                cases.add(new Case("random after " + hex.formatHex(magic) + " #" + i, bytes, false));
            }
        }
        return cases;
    }

    private record Case(String name, byte[] bytes, boolean mustFail) {
    }
}
