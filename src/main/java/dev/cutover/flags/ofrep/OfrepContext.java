package dev.cutover.flags.ofrep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.cutover.http.JsonBody;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * The part of an OFREP evaluation context that decides the flag: {@code targetingKey} is the session id and
 * {@code userId}, when given, the sticky id (it wins over the session, as in {@code GET /api/v1/assignment}).
 * Other context attributes are accepted and ignored.
 */
record OfrepContext(String sessionId, Optional<String> userId) {
    static final int MAX_ID_LENGTH = 256;

    /** Reads {@code {"context": {...}}} from a request body, or says precisely what is wrong with it. */
    static OfrepContext fromRequestBody(byte[] body, ObjectReader json) {
        JsonNode root = parse(body, json);
        if (!root.isObject()) {
            throw OfrepError.parseError("The request body must be a JSON object like {\"context\": {\"targetingKey\": \"<session id>\"}}.");
        }
        JsonNode context = root.get("context");
        if (context == null || context.isNull()) {
            throw OfrepError.targetingKeyMissing("The request has no context; send {\"context\": {\"targetingKey\": \"<session id>\"}}.");
        }
        if (!context.isObject()) {
            throw OfrepError.invalidContext("context must be a JSON object, not " + context.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        }
        JsonNode targetingKey = context.get("targetingKey");
        if (targetingKey == null || targetingKey.isNull() || (targetingKey.isTextual() && targetingKey.textValue().isEmpty())) {
            throw OfrepError.targetingKeyMissing("context.targetingKey is required: send the session id as a string.");
        }
        String sessionId = idText(targetingKey, "context.targetingKey");
        JsonNode userId = context.get("userId");
        if (userId == null || userId.isNull() || (userId.isTextual() && userId.textValue().isEmpty())) {
            return new OfrepContext(sessionId, Optional.empty());
        }
        return new OfrepContext(sessionId, Optional.of(idText(userId, "context.userId")));
    }

    private static JsonNode parse(byte[] body, ObjectReader json) {
        if (body.length == 0) {
            throw OfrepError.parseError("The request body is empty; send {\"context\": {\"targetingKey\": \"<session id>\"}}.");
        }
        try {
            JsonNode root = json.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw OfrepError.parseError("The request body holds no JSON value.");
            }
            return root;
        } catch (IOException e) {
            throw OfrepError.parseError("The request body is not valid JSON: " + firstLine(e.getMessage()));
        } catch (NumberFormatException | ArithmeticException e) {
            // A reader that builds exact decimals refuses exponents beyond the int range while building the tree;
            // the exception repeats the number, so it is not passed on.
            throw OfrepError.parseError("The request body holds a number whose exponent is out of range.");
        }
    }

    private static String idText(JsonNode node, String name) {
        if (!node.isTextual()) {
            throw OfrepError.invalidContext(name + " must be a string, not " + node.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        }
        String text = node.textValue();
        // Characters are code points, as for the assignment query and overrides: an emoji is one, not two.
        if (text.length() > MAX_ID_LENGTH) {
            int characters = text.codePointCount(0, text.length());
            if (characters > MAX_ID_LENGTH) {
                throw OfrepError.invalidContext(name + " is " + characters + " characters long; the limit is " + MAX_ID_LENGTH + ".");
            }
        }
        int surrogate = JsonBody.unpairedSurrogate(text);
        if (surrogate >= 0) {
            // Refused rather than bucketed: the same id would bucket differently once anything re-encodes it.
            throw OfrepError.invalidContext(name + " is not valid Unicode text: it holds an unpaired surrogate at position "
                    + surrogate + ".");
        }
        return text;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input.";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
