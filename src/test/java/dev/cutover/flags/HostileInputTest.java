package dev.cutover.flags;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.HttpTestClient;
import dev.cutover.testing.LogCapture;
import dev.cutover.testing.TestApp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault: input crafted to slip past validation or to make the answer expensive (numbers with huge exponents, Unicode
 * that case-folds or re-encodes into something else, lone surrogates, ids counted in UTF-16 units, malformed query
 * encodings). Must not be lost: each is refused with a small 4xx JSON error within two seconds, logs no ERROR, and
 * leaves the flag, its overrides and the audit trail exactly as they were.
 */
class HostileInputTest {
    private static final String FLAG = AdminApi.FLAG;
    private static final String OVERRIDES = FLAG + "/overrides";
    private static final String OFREP_SINGLE = "/ofrep/v1/evaluate/flags/transcription-provider";
    private static final String OFREP_BULK = "/ofrep/v1/evaluate/flags";
    private static final Duration QUICK = Duration.ofSeconds(2);
    private static final int SMALL_BODY = 4 * 1024;
    /** U+1F600, two UTF-16 units, four UTF-8 bytes. */
    private static final String EMOJI = "\uD83D\uDE00";
    private static final String EMOJI_ENCODED = "%F0%9F%98%80";

    private static TestApp app;
    private static AdminApi alice;

    @BeforeAll
    static void startApp() {
        app = TestApp.builder().env("ADMIN_TOKEN", "alice:alice-secret-1").start();
        alice = new AdminApi(app, "alice-secret-1");
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void aPatchIsRefusedAsTheRolloutsAtOnceWhateverItsValuesHold() {
        String v = ", \"expectedVersion\": " + currentVersion();
        for (String percentage : List.of("1e999999999", "1e-999999", "-1e999999999", "1E+2147483647", "1e-2147483647",
                "0e-2147483647", "123456789e-2147483000", "99.999999999999999999999999999999999999999999999999")) {
            HttpResponse<String> response = assertRefused(() -> alice.patch(FLAG, "{\"percentage\": " + percentage + v
                    + "}"), 409, "managed_by_rollout");
            assertThat(message(response)).hasSizeLessThan(1_000).doesNotContain("0000000000");
        }
        for (String status : List.of("act\u0131ve", "pau\u017Fed", "\uFF41\uFF43\uFF54\uFF49\uFF56\uFF45", "paused ",
                "\\ud800", "rolled-back", "ACTİVE")) {
            assertRefused(() -> alice.patch(FLAG, "{\"status\": \"" + status + "\"" + v + "}"), 409,
                    "managed_by_rollout");
        }
        assertRefused(() -> alice.patch(FLAG, "{\"percentage\": 5" + v + ", \"reason\": \"x\\ud800\"}"), 409,
                "managed_by_rollout");
    }

    @Test
    void aNumberLongerThanAnyFieldNeedsIsRefusedByTheParser() {
        String digits = "1" + "0".repeat(999);
        HttpResponse<String> response = assertRefused(() -> alice.patch(FLAG, "{\"percentage\": " + digits + "}"),
                400, "malformed_json");
        assertThat(message(response)).doesNotContain("0000000000");
    }

    @Test
    void exponentsBeyondTheIntRangeAreMalformedJsonNotAServerError() {
        for (String number : List.of("1e2147483648", "1e-2147483649", "0e2147483648", "-1E+9999999999")) {
            String v = ", \"expectedVersion\": " + currentVersion();
            List<Supplier<HttpResponse<String>>> requests = List.of(
                    () -> alice.patch(FLAG, "{\"percentage\": " + number + v + "}"),
                    () -> alice.patch(FLAG, "{\"percentage\": 5, \"expectedVersion\": " + number + "}"),
                    () -> alice.post(OVERRIDES, "{\"list\": \"allow\", \"subject\": \"user\", \"id\": \"u-1\", "
                            + "\"note\": " + number + "}"));
            for (Supplier<HttpResponse<String>> request : requests) {
                HttpResponse<String> response = assertRefused(request, 400, "malformed_json");
                assertThat(message(response)).doesNotContain(number.substring(3));
            }
        }
    }

    @Test
    void ofrepContextsWithHugeNumbersAreClientErrorsOrIgnored() {
        for (String number : List.of("1e2147483648", "1e-2147483649", "1e999999999")) {
            assertOfrepRefused(OFREP_BULK, "{\"context\": {\"targetingKey\": " + number + "}}", "INVALID_CONTEXT");
            assertOfrepRefused(OFREP_SINGLE, "{\"context\": {\"targetingKey\": \"s-1\", \"userId\": " + number + "}}",
                    "INVALID_CONTEXT");
            // Other attributes are ignored, whatever number they hold.
            HttpResponse<String> ignored = ofrep(OFREP_SINGLE, "{\"context\": {\"targetingKey\": \"s-1\", \"age\": "
                    + number + "}}");
            assertThat(ignored.statusCode()).as(ignored.body()).isEqualTo(200);
        }
        assertOfrepRefused(OFREP_BULK, "{\"context\": {\"targetingKey\": \"s-1\", \"n\": 1" + "0".repeat(5000) + "}}",
                "PARSE_ERROR");
    }

    @Test
    void enumValuesMustBeSpelledInAsciiNotMerelyCaseFoldToTheName() {
        for (String subject : List.of("u\u017Fer", "se\u017F\u017Fion", "sess\u0131on")) {
            HttpResponse<String> response = assertRefused(() -> alice.post(OVERRIDES, "{\"list\": \"allow\", "
                    + "\"subject\": \"" + subject + "\", \"id\": \"u-2\"}"), 400, "invalid_subject");
            assertThat(message(response)).contains("user, session");
        }
        for (String list : List.of("\uFF41llow", "den\u00FD", "allow\\u0000", "allow ", "a\u0131low", "ALLOW\u0130")) {
            HttpResponse<String> response = assertRefused(() -> alice.post(OVERRIDES, "{\"list\": \"" + list
                    + "\", \"subject\": \"user\", \"id\": \"u-3\"}"), 400, "invalid_list");
            assertThat(message(response)).contains("allow, deny");
        }
    }

    @Test
    void enumValuesAreAcceptedInAnyAsciiCase() {
        for (String list : List.of("Deny", "ALLOW", "aLLow")) {
            HttpResponse<String> added = alice.post(OVERRIDES, "{\"list\": \"" + list + "\", \"subject\": \"SESSION\", "
                    + "\"id\": \"s-case\"}");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(json(added).at("/override/list").asText()).isEqualTo(list.toLowerCase(Locale.ROOT));
            assertThat(alice.delete(OVERRIDES + "/" + json(added).path("override").path("id").asLong()).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void loneSurrogatesInTextAreRefusedNotStoredAsQuestionMarks() {
        for (String field : List.of("id", "note", "reason")) {
            for (String text : List.of("s\\ud800", "s\\udfff", "\\udc00\\ud800", "s\\ud83d")) {
                String body = ("{\"list\": \"allow\", \"subject\": \"user\", \"id\": \"u-4\", \"note\": \"n\", "
                        + "\"reason\": \"r\"}").replace("\"" + field + "\": \"", "\"" + field + "\": \"" + text);
                HttpResponse<String> response = assertRefused(() -> alice.post(OVERRIDES, body), 400, "invalid_text");
                assertThat(message(response)).startsWith(field + " ");
            }
        }
        assertThat(app.get("/api/v1/assignment?sessionId=x&userId=s%3F").body()).doesNotContain("ALLOWLIST");
    }

    @Test
    void aPairedSurrogateIsOrdinaryText() {
        HttpResponse<String> added = alice.post(OVERRIDES, "{\"list\": \"allow\", \"subject\": \"user\", \"id\": \"u-"
                + EMOJI + "\", \"note\": \"\\ud83d\\ude00\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(json(added).path("override").path("subjectId").asText()).isEqualTo("u-" + EMOJI);
        assertThat(alice.delete(OVERRIDES + "/" + json(added).path("override").path("id").asLong()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void loneSurrogatesInAnOfrepContextAreAnInvalidContext() {
        assertOfrepRefused(OFREP_BULK, "{\"context\": {\"targetingKey\": \"s\\ud800\"}}", "INVALID_CONTEXT");
        assertOfrepRefused(OFREP_SINGLE, "{\"context\": {\"targetingKey\": \"s-1\", \"userId\": \"u\\udfff\"}}",
                "INVALID_CONTEXT");
        // The same surrogate as raw (CESU-style) UTF-8 bytes rather than a JSON escape: not UTF-8 at all.
        byte[] raw = concat("{\"context\": {\"targetingKey\": \"s".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}}".getBytes(StandardCharsets.US_ASCII));
        assertOfrepRefused(OFREP_BULK, raw, "PARSE_ERROR");
    }

    @Test
    void idLimitsCountCharactersNotUtf16Units() {
        String longest = EMOJI.repeat(AssignmentQuery.MAX_ID_LENGTH);
        HttpResponse<String> added = alice.post(OVERRIDES, "{\"list\": \"allow\", \"subject\": \"session\", \"id\": \""
                + longest + "\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(alice.delete(OVERRIDES + "/" + json(added).path("override").path("id").asLong()).statusCode())
                .isEqualTo(200);

        HttpResponse<String> tooLong = assertRefused(() -> alice.post(OVERRIDES, "{\"list\": \"allow\", \"subject\": "
                + "\"session\", \"id\": \"" + longest + EMOJI + "\"}"), 400, "id_too_long");
        assertThat(message(tooLong)).contains("257 characters");

        HttpResponse<String> assignment = app.get("/api/v1/assignment?sessionId="
                + EMOJI_ENCODED.repeat(AssignmentQuery.MAX_ID_LENGTH));
        assertThat(assignment.statusCode()).as(assignment.body()).isEqualTo(200);
        HttpResponse<String> tooLongAssignment = assertRefused(() -> app.get("/api/v1/assignment?sessionId="
                + "a".repeat(57) + EMOJI_ENCODED.repeat(200)), 400, "id_too_long");
        assertThat(message(tooLongAssignment)).contains("257 characters");

        HttpResponse<String> ofrep = ofrep(OFREP_BULK, "{\"context\": {\"targetingKey\": \"" + longest + "\"}}");
        assertThat(ofrep.statusCode()).as(ofrep.body()).isEqualTo(200);
        assertOfrepRefused(OFREP_BULK, "{\"context\": {\"targetingKey\": \"" + longest + EMOJI + "\"}}", "INVALID_CONTEXT");
    }

    @Test
    void queryParametersAreValidatedStrictlyOnTheAuditRoute() {
        for (String limit : List.of("%zz", "%", "%4", "-1", "+1", "%2B1", "1.5", "1e3", "%D9%A1", "%EF%BC%91", "1%00",
                "%20", "99999999999999999999")) {
            HttpResponse<String> response = assertRefused(() -> raw("GET", "/api/v1/audit?limit=" + limit), 400,
                    "invalid_limit");
            assertThat(message(response)).startsWith("limit ");
        }
        assertRefused(() -> raw("GET", "/api/v1/audit?limit=5&before=%zz"), 400, "invalid_before");
        assertRefused(() -> alice.get("/api/v1/audit?before=%D9%A1"), 400, "invalid_before");
        // A percent-encoded digit is still a digit; an empty value is no value.
        assertThat(alice.get("/api/v1/audit?limit=%31").statusCode()).isEqualTo(200);
        assertThat(json(alice.get("/api/v1/audit?limit=%31")).path("events").size()).isLessThanOrEqualTo(1);
        assertThat(alice.get("/api/v1/audit?limit=").statusCode()).isEqualTo(200);
    }

    @Test
    void removingAnOverrideTakesOnlyAnAsciiIdAndAWellEncodedReason() {
        HttpResponse<String> added = alice.post(OVERRIDES, "{\"list\": \"deny\", \"subject\": \"user\", \"id\": \"u-keep\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        long id = json(added).path("override").path("id").asLong();

        for (String reason : List.of("%zz", "done%", "%ED%A0%80", "%C3%28", "caf%E9")) {
            HttpResponse<String> response = assertRefused(() -> raw("DELETE", OVERRIDES + "/" + id + "?reason=" + reason),
                    400, "invalid_reason");
            assertThat(message(response)).startsWith("reason ");
        }
        String arabicIndic = Long.toString(id).chars().mapToObj(c -> Character.toString('\u0660' + (c - '0')))
                .reduce("", String::concat);
        String encoded = java.net.URLEncoder.encode(arabicIndic, StandardCharsets.UTF_8);
        for (String notAnId : List.of(encoded, "%2B" + id)) {
            assertRefused(() -> alice.delete(OVERRIDES + "/" + notAnId), 404, "override_not_found");
        }
        assertThat(alice.delete(OVERRIDES + "/" + id + "?reason=caf%C3%A9+done").statusCode()).isEqualTo(200);
        assertThat(json(alice.get("/api/v1/audit?limit=1")).path("events").get(0).path("reason").asText())
                .isEqualTo("café done");
    }

    /**
     * Sends the request and checks everything a refusal must be: the status and code, a small JSON error, a quick
     * answer, no ERROR in the log, and the flag, overrides and audit trail unchanged.
     */
    private static HttpResponse<String> assertRefused(Supplier<HttpResponse<String>> request, int status, String code) {
        State before = State.read();
        int mark = LogCapture.mark();
        long started = System.nanoTime();
        HttpResponse<String> response = request.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(SMALL_BODY);
        JsonNode body = json(response);
        assertThat(body.path("error").asText()).as(response.body()).isEqualTo(code);
        assertThat(body.path("message").isTextual()).isTrue();
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(took).isLessThan(QUICK);
        assertThat(LogCapture.errorsSince(mark)).isEmpty();
        assertThat(State.read()).isEqualTo(before);
        return response;
    }

    private static void assertOfrepRefused(String path, String body, String errorCode) {
        assertOfrepRefused(path, body.getBytes(StandardCharsets.UTF_8), errorCode);
    }

    /** OFREP's own error shape: {"errorCode", "errorDetails"} (and "key" for one flag); nothing to store or change. */
    private static void assertOfrepRefused(String path, byte[] body, String errorCode) {
        HttpResponse<String> response = timedOfrep(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).path("errorCode").asText()).as(response.body()).isEqualTo(errorCode);
        assertThat(json(response).path("errorDetails").asText()).isNotBlank().doesNotContain("2147483648");
    }

    private static HttpResponse<String> timedOfrep(String path, byte[] body) {
        int mark = LogCapture.mark();
        long started = System.nanoTime();
        HttpResponse<String> response = app.send(HttpTestClient.postJson(app.uri(path), body).build());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(QUICK);
        assertThat(response.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(SMALL_BODY);
        assertThat(LogCapture.errorsSince(mark)).isEmpty();
        return response;
    }

    private static HttpResponse<String> ofrep(String path, String body) {
        return timedOfrep(path, body.getBytes(StandardCharsets.UTF_8));
    }

    /** What a refused request must leave as it was. */
    private record State(JsonNode flag, JsonNode overrides, JsonNode newestAuditEvent) {
        static State read() {
            return new State(json(alice.get(FLAG)), json(alice.get(OVERRIDES)),
                    json(alice.get("/api/v1/audit?limit=1")).path("events"));
        }
    }

    /** A request written by hand, as java.net.URI refuses malformed escapes such as %zz. */
    private static HttpResponse<String> raw(String method, String target) {
        return HttpTestClient.raw(app.port(), method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer alice-secret-1\r\nConnection: close\r\n\r\n");
    }

    private static long currentVersion() {
        return json(alice.get(FLAG)).path("version").asLong();
    }

    private static String message(HttpResponse<String> response) {
        return json(response).path("message").asText();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
