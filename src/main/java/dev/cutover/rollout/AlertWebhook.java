package dev.cutover.rollout;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * ALERT_WEBHOOK_URL: one POST of a JSON body per attempt, with an {@code Idempotency-Key} header, at most 5 s to
 * connect and 5 s for the answer, redirects not followed. The URL is never logged nor put in an error (a Slack
 * webhook's path is its secret); only its host is. Thread-safe (an immutable URI over a thread-safe HttpClient).
 */
final class AlertWebhook {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_ERROR_BODY = 200;

    private final URI uri;
    private final HttpClient client;

    private AlertWebhook(URI uri) {
        this.uri = uri;
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The webhook at {@code url}; IllegalArgumentException (naming the variable, not the secret) unless http(s). */
    static AlertWebhook at(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid();
        }
        if (uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw invalid();
        }
        return new AlertWebhook(uri);
    }

    private static IllegalArgumentException invalid() {
        return new IllegalArgumentException("ALERT_WEBHOOK_URL is not valid: write the full http:// or https:// URL "
                + "that accepts a JSON POST (a Slack incoming webhook, for example)");
    }

    String host() {
        return uri.getHost();
    }

    /**
     * What went wrong with one POST: the status and the start of the answer, or the exception (for the outbox's
     * last_error), and the answer's {@code Retry-After} header when it had one (a 429 or 503 asking for a pause).
     */
    record Failure(String message, Optional<String> retryAfter) {
        static Failure of(String message) {
            return new Failure(message, Optional.empty());
        }
    }

    /**
     * POSTs {@code body} (JSON); empty when the webhook answered 2xx, otherwise what went wrong. The whole exchange,
     * answer body included, is bounded by the two timeouts, so a webhook that trickles its answer cannot hold the
     * notifier.
     */
    Optional<Failure> post(String idempotencyKey, String body) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(ANSWER_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        CompletableFuture<HttpResponse<String>> exchange = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = exchange.get(CONNECT_TIMEOUT.plus(ANSWER_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
            if (response.statusCode() / 100 == 2) {
                return Optional.empty();
            }
            String answer = response.body().strip();
            answer = answer.length() <= MAX_ERROR_BODY ? answer : answer.substring(0, MAX_ERROR_BODY);
            return Optional.of(new Failure("HTTP " + response.statusCode() + (answer.isEmpty() ? "" : ": " + answer),
                    response.headers().firstValue("Retry-After")));
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return Optional.of(Failure.of("no answer within " + CONNECT_TIMEOUT.plus(ANSWER_TIMEOUT).toSeconds() + " s"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Optional.of(Failure.of(cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        }
    }
}
