package dev.cutover.transcription.audio;

import dev.cutover.http.ApiError;

/** The decoder's error vocabulary, so every code and status is spelled in one place. */
final class AudioErrors {
    static final String SUPPORTED = "WAV (PCM 8/16/24/32-bit or float), Ogg (Opus/Vorbis), WebM/Matroska, MP3, "
            + "MP4/M4A (AAC), raw AAC (ADTS) and FLAC";

    private AudioErrors() {
    }

    static ApiError empty(String message) {
        return ApiError.badRequest("audio_empty", message);
    }

    static ApiError undecodable(String what) {
        return ApiError.badRequest("audio_undecodable", "Could not decode the audio: " + what
                + ". Upload a valid file in one of: " + SUPPORTED + ".");
    }

    static ApiError nonFinite() {
        return ApiError.badRequest("audio_non_finite",
                "The audio contains NaN or infinite samples; upload finite floating-point or integer PCM.");
    }

    static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "audio_too_large",
                "The upload is larger than " + maxBytes + " bytes (" + (maxBytes / (1024 * 1024))
                        + " MiB); upload a shorter or more compressed file.");
    }

    static ApiError tooLong(int maxSeconds) {
        return new ApiError(413, "audio_too_long",
                "The audio is longer than " + maxSeconds + " seconds; split it into shorter clips.");
    }

    static ApiError unsupportedFormat() {
        return new ApiError(415, "unsupported_audio_format",
                "Unrecognised audio format. Supported formats: " + SUPPORTED
                        + ". The format is detected from the file's content, not its name or content type.");
    }
}
