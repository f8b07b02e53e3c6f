package dev.cutover.transcription.whisper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The SHA-256 a model file must have: from WHISPER_MODEL_SHA256 when set, else from {@code <model>.sha256} beside it
 * ({@code sha256sum} format or a bare hex digest). Stateless.
 */
final class ModelChecksum {
    private static final Pattern HEX = Pattern.compile("(?i)^\\s*([0-9a-f]{64})(\\s|$)");

    /** How the file compared with its recorded checksum. */
    enum Status {
        VERIFIED, UNVERIFIED, MISMATCH, UNREADABLE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The expected digest and where it came from, if any. */
    record Expected(Optional<String> sha256, String source) {
    }

    private ModelChecksum() {
    }

    static Path sidecarOf(Path model) {
        return model.resolveSibling(model.getFileName() + ".sha256");
    }

    /** @throws IllegalArgumentException when a recorded checksum is present but not a SHA-256 hex digest */
    static Expected expected(Path model, Optional<String> configured) throws IOException {
        if (configured.isPresent()) {
            return new Expected(Optional.of(parse(configured.get(), "WHISPER_MODEL_SHA256")), "WHISPER_MODEL_SHA256");
        }
        Path sidecar = sidecarOf(model);
        if (!Files.isRegularFile(sidecar)) {
            return new Expected(Optional.empty(), "none");
        }
        String content = Files.readString(sidecar, StandardCharsets.US_ASCII);
        return new Expected(Optional.of(parse(content, sidecar.toString())), sidecar.toString());
    }

    static String sha256Of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        }
    }

    private static String parse(String text, String source) {
        Matcher matcher = HEX.matcher(text);
        if (!matcher.find()) {
            throw new IllegalArgumentException(source + " does not hold a SHA-256 hex digest (64 hex characters)");
        }
        return matcher.group(1).toLowerCase(Locale.ROOT);
    }
}
