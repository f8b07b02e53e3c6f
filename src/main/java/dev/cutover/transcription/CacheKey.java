package dev.cutover.transcription;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The cache identity of a transcription: SHA-256 over the digest of the decoded 16 kHz samples (so the same sound in
 * two containers shares an entry), the model name and every option that changes the transcript.
 */
public record CacheKey(String sha256Hex) {
    private static final int CHUNK_SAMPLES = 8192;

    static CacheKey of(AudioClip clip, String model, TranscribeOptions options) {
        return of(audioDigest(clip), model, options);
    }

    static CacheKey of(byte[] audioDigest, String model, TranscribeOptions options) {
        MessageDigest digest = sha256();
        digest.update(audioDigest);
        // Length-prefixed fields, so no choice of strings can make two different option sets hash alike.
        field(digest, "model:" + model);
        field(digest, "language:" + options.language().orElse(""));
        field(digest, "prompt:" + options.prompt().orElse(""));
        field(digest, "temperature:" + Float.floatToIntBits(options.temperature()));
        return new CacheKey(HexFormat.of().formatHex(digest.digest()));
    }

    /** SHA-256 of the samples as little-endian floats, then their count. */
    static byte[] audioDigest(AudioClip clip) {
        MessageDigest digest = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_SAMPLES * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[] samples = clip.samples();
        for (int from = 0; from < samples.length; from += CHUNK_SAMPLES) {
            int to = Math.min(samples.length, from + CHUNK_SAMPLES);
            chunk.clear();
            chunk.asFloatBuffer().put(samples, from, to - from);
            digest.update(chunk.array(), 0, (to - from) * Float.BYTES);
        }
        field(digest, "samples:" + samples.length);
        return digest.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static void field(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        digest.update(bytes);
    }
}
