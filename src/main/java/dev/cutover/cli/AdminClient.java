package dev.cutover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin API of one running instance, as the command line sees it: every answer is either the 2xx body as JSON,
 * or a {@link CliFailure} — refused (4xx: the error code, message, every {@code unmet} reason and the
 * {@code currentVersion}) or unreachable (no connection, a timeout, a 5xx). Not thread-safe; one per command.
 */
final class AdminClient {
    private static final int MAX_UNPARSED = 300;

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final ObjectMapper json;

    AdminClient(URI base, String token, Duration timeout, ObjectMapper json) {
        this.base = base;
        this.token = token;
        this.timeout = timeout;
        this.json = json;
    }

    /** A 2xx answer's body. */
    JsonNode get(String path) {
        return ok(send("GET", path, null), "GET " + path);
    }

    JsonNode post(String path, JsonNode body) {
        return ok(send("POST", path, body), "POST " + path);
    }

    JsonNode put(String path, JsonNode body) {
        return ok(send("PUT", path, body), "PUT " + path);
    }

    /**
     * The answer whatever its status; unreachable (exit 3) when there is none. {@link HttpURLConnection}, not
     * {@code java.net.http.HttpClient}: a command makes two requests and exits, and the older client starts in a
     * fraction of the time (no selector thread, no TLS set-up for plain HTTP).
     */
    Answer send(String method, String path, JsonNode body) {
        HttpURLConnection connection = null;
        boolean connected = false;
        try {
            // Relative to the base, so an instance behind a path prefix (https://host/cutover/) is reached under it.
            connection = (HttpURLConnection) base.resolve(path.substring(1)).toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setConnectTimeout(millis());
            connection.setReadTimeout(millis());
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Authorization", "Bearer " + token);
            connection.setRequestProperty("Accept", "application/json");
            byte[] payload = body == null ? null : json.writeValueAsBytes(body);
            if (payload != null) {
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setFixedLengthStreamingMode(payload.length);
            }
            connection.connect();
            connected = true;
            if (payload != null) {
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(payload);
                }
            }
            int status = connection.getResponseCode();
            InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String text = "";
            if (stream != null) {
                try (InputStream in = stream) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Answer(status, text);
        } catch (SocketTimeoutException e) {
            throw connected
                    ? CliFailure.unreachable("no answer from " + base + " within " + timeout.toMillis() + " ms (--timeout)")
                    : CliFailure.unreachable("cannot reach " + base + ": no connection within " + timeout.toMillis()
                            + " ms (--timeout)");
        } catch (ConnectException e) {
            throw CliFailure.unreachable("cannot reach " + base + ": connection refused (is Cutover running there? "
                    + "set --url or CUTOVER_URL)");
        } catch (IOException e) {
            throw CliFailure.unreachable("cannot reach " + base + ": " + e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private int millis() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    /** The 2xx body as JSON; a {@link CliFailure} for anything else. */
    JsonNode ok(Answer answer, String what) {
        JsonNode body = parse(answer.body());
        if (answer.status() >= 200 && answer.status() < 300) {
            if (body == null) {
                throw CliFailure.unreachable(what + " answered " + answer.status() + " without JSON: "
                        + excerpt(answer.body()) + " (is " + base + " a Cutover instance?)");
            }
            return body;
        }
        boolean refused = answer.status() >= 400 && answer.status() < 500;
        List<String> lines = new ArrayList<>();
        String code = body == null ? "" : " " + body.path("error").asText("");
        lines.add(what + (refused ? " refused: " : " failed: ") + answer.status() + code);
        if (body != null && body.hasNonNull("message")) {
            lines.add("  " + body.path("message").asText());
        } else if (body == null) {
            lines.add("  " + excerpt(answer.body()));
        }
        if (body != null) {
            body.path("unmet").forEach(reason -> lines.add("  unmet: " + reason.asText()));
            if (body.has("currentVersion")) {
                lines.add("  currentVersion: " + body.path("currentVersion").asText());
            }
        }
        return failWith(refused ? Cli.REFUSED : Cli.UNREACHABLE, lines, body);
    }

    private static JsonNode failWith(int exitCode, List<String> lines, JsonNode body) {
        throw new CliFailure(exitCode, lines, body != null && body.isObject() ? body : null);
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String excerpt(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > MAX_UNPARSED ? text.substring(0, MAX_UNPARSED) + "…" : text;
    }

    /** One HTTP answer: the status and the body as text. */
    record Answer(int status, String body) {
    }
}
