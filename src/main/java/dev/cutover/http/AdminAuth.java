package dev.cutover.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin API authentication: {@code Authorization: Bearer SECRET} against the {@code name:secret} pairs of ADMIN_TOKEN;
 * the matching name is the audit actor. Secrets are compared as SHA-256 digests with {@link MessageDigest#isEqual},
 * against every configured token, so neither timing nor length tells an attacker anything. Immutable, thread-safe.
 */
public final class AdminAuth {
    private static final Logger LOG = LoggerFactory.getLogger(AdminAuth.class);
    static final String TOKEN_FILE = "admin-token";
    static final String GENERATED_NAME = "admin";
    private static final String BEARER = "Bearer ";

    private final List<Token> tokens;

    private AdminAuth(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /**
     * Uses ADMIN_TOKEN ({@code name:secret,name:secret}; a bare secret is named "admin") when given; otherwise the
     * token kept in {@code dataDir/admin-token}, generating and logging it once on the very first start.
     */
    public static AdminAuth from(Optional<String> adminToken, Path dataDir) {
        if (adminToken.isPresent()) {
            return new AdminAuth(parse(adminToken.get()));
        }
        return new AdminAuth(List.of(new Token(GENERATED_NAME, digest(generatedSecret(dataDir)))));
    }

    /** The audit actor for this request; answers 401 (as an {@link ApiError}) unless a known secret is presented. */
    public String authenticate(Context ctx) {
        return actorFor(ctx.header("Authorization")).orElseThrow(AdminAuth::unauthorized);
    }

    /** The same check on the headers alone, for the edge to refuse before any body is read (HEAD included). */
    public HeaderGate gate() {
        return (method, headers) -> actorFor(headers.get("Authorization")).isPresent()
                ? Optional.empty()
                : Optional.of(EdgeResponses.Answer.error(unauthorized()));
    }

    private static ApiError unauthorized() {
        return ApiError.unauthorized("unauthorized",
                "Send the admin token as 'Authorization: Bearer <token>' (ADMIN_TOKEN, or data/admin-token).");
    }

    Optional<String> actorFor(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        byte[] presented = digest(authorization.substring(BEARER.length()).trim());
        String actor = null;
        // No early exit: every token is compared, whichever matches.
        for (Token token : tokens) {
            if (MessageDigest.isEqual(presented, token.digest()) && actor == null) {
                actor = token.name();
            }
        }
        return Optional.ofNullable(actor);
    }

    private static List<Token> parse(String value) {
        List<Token> parsed = new ArrayList<>();
        for (String entry : value.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            String name = colon < 0 ? GENERATED_NAME : trimmed.substring(0, colon).trim();
            String secret = colon < 0 ? trimmed : trimmed.substring(colon + 1).trim();
            if (name.isEmpty() || secret.isEmpty()) {
                throw new IllegalArgumentException("ADMIN_TOKEN entries are name:secret pairs separated by commas; "
                        + "found one with an empty name or secret");
            }
            parsed.add(new Token(name, digest(secret)));
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("ADMIN_TOKEN is set but holds no name:secret pair");
        }
        return parsed;
    }

    private static String generatedSecret(Path dataDir) {
        Path file = dataDir.resolve(TOKEN_FILE);
        try {
            if (Files.exists(file)) {
                String kept = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!kept.isEmpty()) {
                    LOG.info("No ADMIN_TOKEN: using the admin token kept in {}", file.toAbsolutePath());
                    return kept;
                }
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            write(file, secret);
            LOG.warn("No ADMIN_TOKEN: generated an admin token (shown only this once, kept in {}): {}",
                    file.toAbsolutePath(), secret);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or keep the admin token in " + file, e);
        }
    }

    private static void write(Path file, String secret) throws IOException {
        Files.createDirectories(file.getParent() == null ? Path.of(".") : file.getParent());
        Files.deleteIfExists(file);
        try {
            // Created with mode 600 from the start, so the secret is never readable by others, even briefly.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("Another process is creating " + file, e);
        }
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private record Token(String name, byte[] digest) {
    }
}
