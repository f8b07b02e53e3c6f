package dev.cutover.transcription.whisper;

/**
 * The hyper-parameters at the head of a legacy ggml whisper model file, in file order. {@code ftype} 1 stores weight
 * matrices and convolutions as F16 (0 would store them as F32, which whisper.cpp v1.7.1 cannot run).
 */
public record ModelDimensions(
        int nVocab,
        int audioCtx,
        int audioState,
        int audioHeads,
        int audioLayers,
        int textCtx,
        int textState,
        int textHeads,
        int textLayers,
        int nMels,
        int ftype) {

    public static final int VOCAB_ENGLISH = 51864;
    public static final int VOCAB_MULTILINGUAL = 51865;
    public static final int VOCAB_LARGE_V3 = 51866;
    public static final int FULL_AUDIO_CTX = 1500;
    public static final int FULL_TEXT_CTX = 448;

    /** The real tiny.en shape (384 wide, 6 heads, 4+4 layers): costs what a real tiny model costs, for benchmarks. */
    public static ModelDimensions tiny() {
        return new ModelDimensions(VOCAB_ENGLISH, FULL_AUDIO_CTX, 384, 6, 4, FULL_TEXT_CTX, 384, 6, 4, 80, 1);
    }

    /** A minimal shape (1 head, 1+1 layers) just wide enough for a script of {@code positions} tokens: fast tests. */
    public static ModelDimensions small(int positions) {
        int state = Math.max(16, (positions + 7) / 8 * 8);
        return new ModelDimensions(VOCAB_ENGLISH, FULL_AUDIO_CTX, state, 1, 1, FULL_TEXT_CTX, state, 1, 1, 80, 1);
    }

    boolean isMultilingual() {
        return nVocab >= VOCAB_MULTILINGUAL;
    }

    int[] asFileFields() {
        return new int[] {nVocab, audioCtx, audioState, audioHeads, audioLayers, textCtx, textState, textHeads,
            textLayers, nMels, ftype};
    }
}
