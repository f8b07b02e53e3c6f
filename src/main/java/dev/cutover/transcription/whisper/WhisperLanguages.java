package dev.cutover.transcription.whisper;

import java.util.Set;

/** The language codes whisper.cpp v1.7.1 knows; passing any other code to native code selects a wrong token. */
final class WhisperLanguages {
    static final String AUTO = "auto";
    private static final Set<String> CODES = Set.of(
            "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id",
            "hi", "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg",
            "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br",
            "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si", "km", "sn", "yo", "so",
            "af", "oc", "ka", "be", "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt",
            "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su");
    /** Cantonese exists only in the large-v3 vocabulary. */
    private static final String CANTONESE = "yue";

    private WhisperLanguages() {
    }

    static boolean supports(String code, int nVocab) {
        return CODES.contains(code) || (CANTONESE.equals(code) && nVocab >= ModelDimensions.VOCAB_LARGE_V3);
    }
}
