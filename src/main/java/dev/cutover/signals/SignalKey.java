package dev.cutover.signals;

import java.util.Locale;
import java.util.Set;

/**
 * What a signal is counted under: provider, source (what the service saw, or what the browser reported) and a
 * low-cardinality cohort (browser family, primary language subtag). Every value is from a fixed set, so the number
 * of keys per window is bounded whatever clients send.
 */
public record SignalKey(String provider, String source, String browser, String language) {
    public static final String WHISPER = "whisper";
    public static final String WEBSPEECH = "webspeech";
    public static final String SERVER = "server";
    public static final String CLIENT = "client";
    public static final String OTHER = "other";
    public static final Set<String> PROVIDERS = Set.of(WEBSPEECH, WHISPER);
    public static final Set<String> SOURCES = Set.of(SERVER, CLIENT);
    public static final Set<String> BROWSERS = Set.of("chrome", "edge", "safari", "firefox", OTHER);
    /** Primary language subtags counted on their own; any other language is "other". */
    public static final Set<String> LANGUAGES = Set.of("en", "es", "fr", "de", "it", "pt", "nl", "pl", "ru", "uk",
            "tr", "ar", "he", "fa", "hi", "bn", "ur", "zh", "ja", "ko", "vi", "th", "id", "ms", "sv", "no", "da", "fi",
            "cs", "el", "hu", "ro", "bg", "hr", "sr", "sk", "ca", "ta", "te", "sw");

    public SignalKey {
        if (!PROVIDERS.contains(provider) || !SOURCES.contains(source) || !BROWSERS.contains(browser)
                || !(LANGUAGES.contains(language) || OTHER.equals(language))) {
            throw new IllegalArgumentException("not a signal key: " + provider + "/" + source + "/" + browser + "/" + language);
        }
    }

    public static SignalKey of(String provider, String source, String browser, String language) {
        return new SignalKey(provider, source, browserFamily(browser), primaryLanguage(language));
    }

    /**
     * The browser family from a family name ({@code "chrome"}) or a User-Agent. Order matters: Edge and Chrome on
     * iOS say "Safari", Edge says "Chrome".
     */
    public static String browserFamily(String nameOrUserAgent) {
        if (nameOrUserAgent == null || nameOrUserAgent.isBlank()) {
            return OTHER;
        }
        String ua = nameOrUserAgent.toLowerCase(Locale.ROOT);
        if (BROWSERS.contains(ua.trim())) {
            return ua.trim();
        }
        if (ua.contains("edg/") || ua.contains("edga/") || ua.contains("edgios/")) {
            return "edge";
        }
        if (ua.contains("firefox/") || ua.contains("fxios/")) {
            return "firefox";
        }
        if (ua.contains("chrome/") || ua.contains("crios/") || ua.contains("chromium/")) {
            return "chrome";
        }
        if (ua.contains("safari/")) {
            return "safari";
        }
        return OTHER;
    }

    /** The primary subtag of a language tag or an Accept-Language header ({@code "en-GB,en;q=0.9"} → {@code en}). */
    public static String primaryLanguage(String tagOrHeader) {
        if (tagOrHeader == null || tagOrHeader.isBlank()) {
            return OTHER;
        }
        String first = tagOrHeader.split(",", 2)[0].split(";", 2)[0].trim();
        int dash = first.indexOf('-') >= 0 ? first.indexOf('-') : first.indexOf('_');
        String primary = (dash >= 0 ? first.substring(0, dash) : first).toLowerCase(Locale.ROOT);
        return LANGUAGES.contains(primary) ? primary : OTHER;
    }
}
