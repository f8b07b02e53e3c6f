package dev.cutover.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The admin secret to send, in the order an operator expects: {@code --token} as given; else ADMIN_TOKEN, read as the
 * server reads it ({@code name:secret,name:secret}, a bare secret allowed) and the first pair's secret taken; else
 * the token the server keeps in {@code DATA_DIR/admin-token} when ADMIN_TOKEN is unset (the whole file, trimmed).
 */
final class AdminToken {
    static final String FILE = "admin-token";

    private AdminToken() {
    }

    static String resolve(String flag, Map<String, String> env) {
        if (flag != null && !flag.isBlank()) {
            return flag.strip();
        }
        Optional<String> fromEnv = firstSecret(env.get("ADMIN_TOKEN"));
        if (fromEnv.isPresent()) {
            return fromEnv.get();
        }
        Path file = Path.of(env.getOrDefault("DATA_DIR", "data")).resolve(FILE);
        try {
            String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!kept.isEmpty()) {
                return kept;
            }
        } catch (IOException e) {
            // Said below, with the other places looked at.
        }
        throw CliFailure.usage("no admin token: pass --token, set ADMIN_TOKEN, or run where " + file
                + " is readable (DATA_DIR, default 'data')");
    }

    /** The secret of the first {@code name:secret} entry (or the bare secret), as the server splits ADMIN_TOKEN. */
    static Optional<String> firstSecret(String adminToken) {
        if (adminToken == null) {
            return Optional.empty();
        }
        for (String entry : adminToken.split(",")) {
            String trimmed = entry.strip();
            if (!trimmed.isEmpty()) {
                int colon = trimmed.indexOf(':');
                String secret = colon < 0 ? trimmed : trimmed.substring(colon + 1).strip();
                return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
            }
        }
        return Optional.empty();
    }
}
