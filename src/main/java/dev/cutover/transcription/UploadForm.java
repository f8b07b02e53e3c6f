package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import dev.cutover.http.ApiKeyAuth;
import dev.cutover.http.BodyPolicy;
import dev.cutover.http.ByteBudget;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multipart/form-data body read with hard limits. Field names are normalised the way form-encoding SDKs write
 * arrays ({@code name[]} and {@code name[0]} both become {@code name}); a part counts by its name whatever its content
 * type or file name. Parts bigger than the in-memory threshold are spooled to a temporary file by Jetty, which deletes
 * it when the request ends, so no body is ever buffered without bound.
 */
public final class UploadForm {
    /** OpenAI's own upload limit; bigger requests are refused with 413 before or while reading. */
    static final long MAX_FILE_BYTES = 25L * 1024 * 1024;
    static final long MAX_REQUEST_BYTES = MAX_FILE_BYTES + 256 * 1024;
    private static final int IN_MEMORY_BYTES = 1024 * 1024;
    private static final int MAX_FIELD_BYTES = 8 * 1024;
    private static final String JETTY_MULTIPART_CONFIG = "org.eclipse.jetty.multipartConfig";
    private static final String JETTY_PARTS_ATTRIBUTE = "org.eclipse.jetty.http.MultiPartFormData";
    private static final MultipartConfigElement LIMITS = new MultipartConfigElement(
            System.getProperty("java.io.tmpdir"), MAX_FILE_BYTES, MAX_REQUEST_BYTES, IN_MEMORY_BYTES);

    private static final Map<String, String> CLOSE_CONNECTION = Map.of("Connection", "close");

    // Jetty 12.1's multipart limits, by message (each number is the limit, not what was sent).
    /** One part over maxFileSize (MultiPartFormData: "max file size exceeded: 26214400"). */
    private static final Pattern JETTY_PART_TOO_LARGE = Pattern.compile("max file size exceeded: \\d+");
    /** The whole body over maxRequestSize, e.g. a chunked upload ("max length exceeded: 26476544"). */
    private static final Pattern JETTY_BODY_TOO_LARGE = Pattern.compile("max length exceeded: \\d+");
    /**
     * Parts without a file name over the context's maxFormContentSize ("Form is larger than max length 200000") or
     * one over the in-memory part size ("max memory file size exceeded: 1048576").
     */
    private static final Pattern JETTY_FIELDS_TOO_LARGE =
            Pattern.compile("(?:Form is larger than max length |max memory file size exceeded: )(\\d+)");
    /** One part's header block over the request header size ("headers max length exceeded: 8192"). */
    private static final Pattern JETTY_PART_HEADERS_TOO_LARGE = Pattern.compile("headers max length exceeded: (\\d+)");

    private final Map<String, List<Part>> parts;

    private UploadForm(Map<String, List<Part>> parts) {
        this.parts = parts;
    }

    /**
     * Checks the API key before anything is read (401 with the body discarded, so keep-alive clients still get the
     * answer), then reads the parts as {@link #read}.
     */
    static UploadForm readAuthorized(Context ctx, ApiKeyAuth auth, String fileField) {
        try {
            auth.check(ctx);
        } catch (ApiError e) {
            discardBody(ctx);
            throw e;
        }
        return read(ctx, fileField);
    }

    /** Reads the parts; 415 when the body is not multipart, 413 when too large, 400 when malformed. */
    static UploadForm read(Context ctx, String fileField) {
        String contentType = ctx.contentType();
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            discardBody(ctx);
            throw new ApiError(415, "multipart_required", "Send the request as multipart/form-data with the audio in the field '"
                    + fileField + "' (got Content-Type: " + (contentType == null ? "none" : contentType) + ").");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_REQUEST_BYTES) {
            throw tooLarge();
        }
        ctx.req().setAttribute(JETTY_MULTIPART_CONFIG, LIMITS);
        Collection<Part> all;
        try {
            all = ctx.req().getParts();
        } catch (Exception e) {
            // Jetty's end-of-request clean-up would rethrow the failed parse (MultiPartFormData.getParts joins the
            // failed future) and log it as a server error; nothing was stored, so there is nothing to clean up.
            ctx.req().removeAttribute(JETTY_PARTS_ATTRIBUTE);
            discardBody(ctx);
            throw limitHit(e).orElseGet(() ->
                    // Jetty drops the connection after a broken multipart body; say so, or the client reuses a dead socket.
                    new ApiError(400, "malformed_multipart", "The multipart body could not be read (" + rootMessage(e)
                            + "); check the boundary and part headers.", CLOSE_CONNECTION));
        }
        Map<String, List<Part>> byName = new LinkedHashMap<>();
        for (Part part : all) {
            byName.computeIfAbsent(normalise(part.getName()), k -> new ArrayList<>()).add(part);
        }
        return new UploadForm(byName);
    }

    /**
     * Reads and drops what is left of a request body we refuse (at most the upload limit), so the client, still
     * sending, receives our error instead of a connection reset.
     */
    static void discardBody(Context ctx) {
        if (ctx.req().getContentLengthLong() > MAX_REQUEST_BYTES) {
            return;
        }
        try {
            // Not closed: the container owns the request stream.
            InputStream in = ctx.req().getInputStream();
            byte[] sink = new byte[64 * 1024];
            long left = MAX_REQUEST_BYTES;
            int read;
            while (left > 0 && (read = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0) {
                left -= read;
            }
        } catch (IOException | RuntimeException e) {
            // The body was consumed already or the client is gone: nothing left to drop.
        }
    }

    /** The bytes of the first part named {@code name}, or 400 naming the field when there is none. */
    byte[] file(String name) {
        List<Part> found = parts.get(name);
        if (found == null || found.isEmpty()) {
            throw ApiError.badRequest("missing_field", "The multipart field '" + name + "' with the audio file is missing"
                    + (parts.isEmpty() ? "" : " (received fields: " + String.join(", ", parts.keySet()) + ")") + ".");
        }
        Part part = found.get(0);
        if (part.getSize() > MAX_FILE_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first value of a text field, trimmed; empty when absent or blank. */
    Optional<String> text(String name) {
        List<String> values = texts(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0)).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** Every value of a (possibly repeated or {@code name[]}) text field. */
    List<String> texts(String name) {
        List<Part> found = parts.getOrDefault(name, List.of());
        List<String> values = new ArrayList<>(found.size());
        for (Part part : found) {
            values.add(textOf(name, part));
        }
        return values;
    }

    private static String textOf(String name, Part part) {
        if (part.getSize() > MAX_FIELD_BYTES) {
            throw ApiError.badRequest("field_too_long", "The field '" + name + "' is longer than " + MAX_FIELD_BYTES + " bytes.");
        }
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String normalise(String name) {
        if (name == null) {
            return "";
        }
        int bracket = name.indexOf('[');
        return bracket > 0 && name.endsWith("]") ? name.substring(0, bracket) : name;
    }

    /**
     * What the request edge accepts of an upload before this form parses it: the whole request up to the upload
     * limit, no deadline (a large clip on a slow network is fine above the minimum data rate), in the shared budget.
     */
    public static BodyPolicy edgePolicy(ByteBudget budget) {
        ApiError tooLarge = tooLarge();
        return new BodyPolicy((int) MAX_REQUEST_BYTES, Optional.empty(), Optional.of(budget), tooLarge.code(), tooLarge.getMessage());
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "upload_too_large",
                "The upload is larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB; send a shorter or more compressed clip.",
                CLOSE_CONNECTION);
    }

    /**
     * The limit a failed multipart read ran into, told by the exact messages of Jetty 12.1's parser (it throws
     * IllegalStateException, wrapped in a "400: bad multipart" BadMessageException and a ServletException). Anything
     * else is a malformed body, not a size limit: "headers max length exceeded" also has "max" and "length" in it.
     */
    private static Optional<ApiError> limitHit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (JETTY_PART_TOO_LARGE.matcher(message).matches() || JETTY_BODY_TOO_LARGE.matcher(message).matches()) {
                return Optional.of(tooLarge());
            }
            Matcher fields = JETTY_FIELDS_TOO_LARGE.matcher(message);
            if (fields.matches()) {
                return Optional.of(new ApiError(413, "fields_too_large", "Parts without a file name are limited to "
                        + fields.group(1) + " bytes; send the audio as a file part (with a filename) and keep each "
                        + "text field under " + MAX_FIELD_BYTES + " bytes.", CLOSE_CONNECTION));
            }
            Matcher headers = JETTY_PART_HEADERS_TOO_LARGE.matcher(message);
            if (headers.matches()) {
                return Optional.of(new ApiError(400, "malformed_multipart", "A part's headers are longer than "
                        + headers.group(1) + " bytes in all (too many or too long headers); send each part with just "
                        + "Content-Disposition and Content-Type.", CLOSE_CONNECTION));
            }
        }
        return Optional.empty();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
