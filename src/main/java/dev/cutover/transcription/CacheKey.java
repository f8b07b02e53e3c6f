package dev.cutover.transcription;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The cache identity of a transcription: SHA-256 over the decoded 16 kHz samples (so the same sound in two
 * containers shares an entry), the model name and every option that changes the transcript.
 */
public record CacheKey(String sha256Hex) {
    private static final int CHUNK_SAMPLES = 8192;

    static CacheKey of(AudioClip clip, String model, TranscribeOptions options) {
        MessageDigest digest = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_SAMPLES * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[] samples = clip.samples();
        for (int from = 0; from < samples.length; from += CHUNK_SAMPLES) {
            chunk.clear();
            int to = Math.min(samples.length, from + CHUNK_SAMPLES);
            for (int i = from; i < to; i++) {
                chunk.putFloat(samples[i]);
            }
            digest.update(chunk.array(), 0, chunk.position());
        }
        // Length-prefixed fields, so no choice of strings can make two different option sets hash alike.
        field(digest, "samples:" + samples.length);
        field(digest, "model:" + model);
        field(digest, "language:" + options.language().orElse(""));
        field(digest, "prompt:" + options.prompt().orElse(""));
        field(digest, "temperature:" + Float.floatToIntBits(options.temperature()));
        return new CacheKey(HexFormat.of().formatHex(digest.digest()));
    }

    private static void field(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
