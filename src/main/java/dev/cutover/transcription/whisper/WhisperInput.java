package dev.cutover.transcription.whisper;

import dev.cutover.http.ApiError;
import dev.cutover.transcription.AudioClip;
import dev.cutover.transcription.TranscribeOptions;
import io.github.givimad.whisperjni.WhisperFullParams;
import io.github.givimad.whisperjni.WhisperSamplingStrategy;
import java.util.Arrays;
import java.util.Locale;

/**
 * One request made safe for whisper.cpp: samples non-null, non-empty, finite and padded with silence to more than
 * whisper's 1 s minimum; language known to whisper.cpp; bounded prompt; full parameters with no offsets or durations
 * (always the whole clip), deterministic greedy decoding and nothing printed. Immutable.
 */
record WhisperInput(float[] samples, double durationSec, String language, WhisperFullParams params) {
    /** whisper.cpp skips audio under 100 mel frames (16,000 samples) and reads past buffers under 201 samples. */
    static final int MIN_SAMPLES = 17_600;
    /** Keeps prompt tokenisation (a recursive std::regex) far from any stack limit. */
    static final int MAX_PROMPT_CHARS = 1_000;

    static WhisperInput prepare(AudioClip clip, TranscribeOptions options, LoadedModel model, WhisperConfig config,
            String modelName) {
        float[] samples = checkedSamples(clip);
        double duration = samples.length / (double) AudioClip.SAMPLE_RATE;
        String language = language(options, model, modelName);
        float temperature = options.temperature();
        if (!Float.isFinite(temperature) || temperature < 0 || temperature > 1) {
            throw ApiError.badRequest("invalid_temperature", "temperature must be between 0 and 1");
        }
        String prompt = options.prompt().filter(p -> !p.isBlank()).orElse(null);
        if (prompt != null && prompt.length() > MAX_PROMPT_CHARS) {
            throw ApiError.badRequest("prompt_too_long", "prompt must be at most " + MAX_PROMPT_CHARS
                    + " characters");
        }

        WhisperFullParams params = new WhisperFullParams(WhisperSamplingStrategy.GREEDY);
        params.nThreads = config.threads();
        params.audioCtx = config.audioCtx().audioCtxFor(Math.max(duration, MIN_SAMPLES / 16_000.0),
                model.info.dims().audioCtx());
        params.offsetMs = 0;
        params.durationMs = 0;
        params.language = language;
        params.translate = false;
        params.detectLanguage = false;
        params.noContext = true; // the state keeps the previous request's text otherwise: a leak between users
        // Without a prompt each 30 s window is decoded on its own (no conditioning on earlier windows' text).
        params.nMaxTextCtx = prompt == null ? 0 : model.info.dims().textCtx() / 2;
        params.initialPrompt = prompt;
        params.temperature = temperature;
        params.temperatureInc = 0f;
        params.greedyBestOf = 1;
        params.suppressBlank = true;
        params.suppressNonSpeechTokens = true;
        params.printProgress = false;
        params.printRealtime = false;
        params.printTimestamps = false;
        params.printSpecial = false;
        params.grammar = null;
        return new WhisperInput(padded(samples), duration, language, params);
    }

    private static float[] checkedSamples(AudioClip clip) {
        float[] samples = clip == null ? null : clip.samples();
        if (samples == null || samples.length == 0) {
            throw ApiError.badRequest("audio_empty", "The audio holds no samples");
        }
        for (float sample : samples) {
            if (!Float.isFinite(sample)) {
                throw ApiError.badRequest("audio_not_finite", "The audio holds NaN or infinite samples");
            }
        }
        return samples;
    }

    private static float[] padded(float[] samples) {
        return samples.length >= MIN_SAMPLES ? samples : Arrays.copyOf(samples, MIN_SAMPLES);
    }

    private static String language(TranscribeOptions options, LoadedModel model, String modelName) {
        String requested = options.language().map(l -> l.trim().toLowerCase(Locale.ROOT))
                .filter(l -> !l.isEmpty()).orElse(WhisperLanguages.AUTO);
        if (!model.multilingual) {
            if (!requested.equals(WhisperLanguages.AUTO) && !requested.equals("en")) {
                throw ApiError.badRequest("unsupported_language", "Model " + modelName
                        + " understands English only; send language 'en' or none, or use a multilingual model");
            }
            return "en";
        }
        if (!requested.equals(WhisperLanguages.AUTO)
                && !WhisperLanguages.supports(requested, model.info.dims().nVocab())) {
            throw ApiError.badRequest("unsupported_language", "Unknown language '" + requested
                    + "'; use an ISO 639-1 code whisper knows (e.g. en, de, fr) or omit it to detect");
        }
        return requested;
    }
}
