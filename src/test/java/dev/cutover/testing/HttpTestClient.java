package dev.cutover.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.http.JsonMapping;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.SSLSession;

/**
 * How tests talk HTTP to the app, in one place: the shared client ({@link TestApp#get}, {@link TestApp#post} and
 * {@link TestApp#send} use it), JSON requests, a request on a connection of its own, bytes written by hand on a socket
 * (for what {@code java.net.http} refuses to send), and reading JSON answers with the app's own Jackson configuration.
 */
public final class HttpTestClient {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = JsonMapping.objectMapper();
    private static final int RAW_READ_TIMEOUT_MILLIS = 5_000;

    private HttpTestClient() {
    }

    /** The client every test shares, so requests to one app reuse kept-alive connections as a browser's would. */
    public static HttpClient client() {
        return CLIENT;
    }

    /** Sends on the shared client and reads the body as text; I/O failures are unchecked. */
    public static HttpResponse<String> send(HttpRequest request) {
        return send(CLIENT, request);
    }

    /**
     * Sends on a client of its own, so a connection the server closes after answering (a malformed URI, a refused
     * event stream) is not one the shared client would try to reuse.
     */
    public static HttpResponse<String> sendOnItsOwnConnection(HttpRequest request) {
        return send(HttpClient.newHttpClient(), request);
    }

    /** A POST of {@code json} as application/json, with more headers as name, value pairs. */
    public static HttpRequest.Builder postJson(URI uri, String json, String... headers) {
        return postJson(uri, json.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** A POST of these exact bytes as application/json (to send what is not valid UTF-8), with more headers. */
    public static HttpRequest.Builder postJson(URI uri, byte[] json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    /**
     * Writes {@code request} as it is (request line, headers and any body, with their CRLFs) on a new connection to
     * 127.0.0.1:{@code port} and reads the answer until it is complete, the server closes, or 5 s pass.
     */
    public static RawResponse raw(int port, String request) {
        return raw(port, request, false);
    }

    /** As {@link #raw}, but ends the request's input right after its bytes, like a client that went away mid-body. */
    public static RawResponse rawHalfClosed(int port, String request) {
        return raw(port, request, true);
    }

    /** The response body as a JSON tree; an AssertionError showing the status and body when it is not JSON. */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("Not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    /** Text (a body, an event's data, a line a client printed) as a JSON tree; an AssertionError when it is not JSON. */
    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("Not JSON: " + text, e);
        }
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static RawResponse raw(int port, String request, boolean halfClose) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(RAW_READ_TIMEOUT_MILLIS);
            long started = System.nanoTime();
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            try {
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    received.write(buffer, 0, n);
                    if (RawResponse.isComplete(received.toByteArray())) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                // Answer with what arrived.
            }
            return new RawResponse(received.toByteArray(), Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What came back on a raw connection: {@link #text()} is every byte as received; status, headers and body (with
     * a chunked body joined) are parsed from it. {@link #statusCode()} is -1 when no status line arrived.
     */
    public static final class RawResponse implements HttpResponse<String> {
        private final byte[] bytes;
        private final Duration elapsed;

        RawResponse(byte[] bytes, Duration elapsed) {
            this.bytes = bytes.clone();
            this.elapsed = elapsed;
        }

        /** Everything received, as UTF-8 text. */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** From writing the request to the end of the answer. */
        public Duration elapsed() {
            return elapsed;
        }

        @Override
        public int statusCode() {
            String head = head(bytes);
            return head.matches("HTTP/\\d\\.\\d \\d{3}(?s:.*)") ? Integer.parseInt(head.substring(9, 12)) : -1;
        }

        @Override
        public HttpHeaders headers() {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String[] lines = head(bytes).split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(lines[i].substring(0, colon).trim(), name -> new ArrayList<>())
                            .add(lines[i].substring(colon + 1).trim());
                }
            }
            return HttpHeaders.of(headers, (name, value) -> true);
        }

        @Override
        public String body() {
            String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
            int headEnd = latin1.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return "";
            }
            String body = latin1.substring(headEnd + 4);
            if (isChunked(head(bytes))) {
                body = unchunk(body);
            }
            return new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }

        @Override
        public HttpRequest request() {
            throw new UnsupportedOperationException("a raw request has no HttpRequest");
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            throw new UnsupportedOperationException("a raw request has no URI");
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }

        @Override
        public String toString() {
            return text();
        }

        /** Head and whole body arrived: the Content-Length is reached, or the last chunk; else read until closed. */
        static boolean isComplete(byte[] received) {
            String latin1 = new String(received, StandardCharsets.ISO_8859_1);
            int headEnd = latin1.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return false;
            }
            String head = latin1.substring(0, headEnd).toLowerCase(Locale.ROOT);
            int bodyBytes = latin1.length() - headEnd - 4;
            if (isChunked(head)) {
                return latin1.endsWith("\r\n0\r\n\r\n") || (bodyBytes == 5 && latin1.endsWith("0\r\n\r\n"));
            }
            for (String line : head.split("\r\n")) {
                if (line.startsWith("content-length:")) {
                    return bodyBytes >= Long.parseLong(line.substring("content-length:".length()).trim());
                }
            }
            return false;
        }

        private static String head(byte[] received) {
            String latin1 = new String(received, StandardCharsets.ISO_8859_1);
            int headEnd = latin1.indexOf("\r\n\r\n");
            return headEnd < 0 ? latin1 : latin1.substring(0, headEnd);
        }

        private static boolean isChunked(String head) {
            return head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked");
        }

        /** Joins a chunked body given as ISO-8859-1 text (one char per byte); stops at the last chunk or the end. */
        private static String unchunk(String chunked) {
            StringBuilder body = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = chunked.indexOf("\r\n", at);
                if (lineEnd < 0) {
                    return body.toString();
                }
                String sizeField = chunked.substring(at, lineEnd).trim();
                int semicolon = sizeField.indexOf(';');
                int size = Integer.parseInt(semicolon < 0 ? sizeField : sizeField.substring(0, semicolon), 16);
                if (size == 0 || lineEnd + 2 + size > chunked.length()) {
                    return body.toString();
                }
                body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
        }
    }
}
