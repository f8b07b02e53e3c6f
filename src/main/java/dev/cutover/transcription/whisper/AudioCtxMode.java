package dev.cutover.transcription.whisper;

import java.util.Locale;

/**
 * How much of whisper's 30 s encoder window to compute (WHISPER_AUDIO_CTX). {@code full} always encodes 30 s, as
 * whisper was trained; {@code auto} encodes only the clip plus a margin (1500·s/30 + 64 positions), which makes a 3 s
 * clip about 9× cheaper at a small accuracy cost on real weights.
 */
public enum AudioCtxMode {
    AUTO, FULL;

    static final int MARGIN = 64;
    private static final double WINDOW_SECONDS = 30.0;

    /** @throws IllegalArgumentException naming the variable and the accepted values */
    public static AudioCtxMode parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException(
                    "WHISPER_AUDIO_CTX=" + value + " is not valid: use 'auto' (encode only the clip's length) or"
                            + " 'full' (always encode 30 s windows)");
        };
    }

    /** The {@code audio_ctx} parameter for a clip: 0 means the model's full context. */
    int audioCtxFor(double seconds, int modelAudioCtx) {
        if (this == FULL || seconds >= WINDOW_SECONDS) {
            return 0;
        }
        int ctx = (int) Math.ceil(modelAudioCtx * seconds / WINDOW_SECONDS) + MARGIN;
        return ctx >= modelAudioCtx ? 0 : ctx;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
