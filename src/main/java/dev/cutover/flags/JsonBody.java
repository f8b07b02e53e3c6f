package dev.cutover.flags;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.http.ApiError;
import dev.cutover.http.JsonMapping;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * A request body read as a JSON object, with typed field access that answers 400 naming the field. Numbers are kept
 * as exact decimals so that "10.555" is refused rather than rounded. Immutable.
 */
final class JsonBody {
    private static final ObjectMapper READER = JsonMapping.objectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final JsonNode root;

    private JsonBody(JsonNode root) {
        this.root = root;
    }

    static JsonBody parse(String text, String example) {
        JsonNode root;
        try {
            root = text == null || text.isBlank() ? null : READER.readTree(text);
        } catch (JacksonException e) {
            throw ApiError.badRequest("malformed_json", "The body is not valid JSON (" + e.getOriginalMessage()
                    + "). Send an object such as " + example + ".");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("malformed_json", "The body must be a JSON object such as " + example + ".");
        }
        return new JsonBody(root);
    }

    Optional<BigDecimal> optionalDecimal(String name) {
        return field(name).map(node -> {
            if (!node.isNumber()) {
                throw ApiError.badRequest("invalid_" + snake(name), name + " must be a JSON number.");
            }
            return node.decimalValue();
        });
    }

    long requiredLong(String name) {
        JsonNode node = field(name).orElseThrow(() -> ApiError.badRequest("missing_" + snake(name),
                name + " is required: send the version you last read."));
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw ApiError.badRequest("invalid_" + snake(name), name + " must be a whole number.");
        }
        return node.longValue();
    }

    Optional<String> optionalText(String name) {
        return field(name).map(node -> {
            if (!node.isTextual()) {
                throw ApiError.badRequest("invalid_" + snake(name), name + " must be a JSON string.");
            }
            return node.textValue();
        });
    }

    String requiredText(String name, String hint) {
        return optionalText(name).orElseThrow(() -> ApiError.badRequest("missing_" + snake(name),
                name + " is required: " + hint));
    }

    /** A field that is absent or JSON null is treated as not given. */
    private Optional<JsonNode> field(String name) {
        JsonNode node = root.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }
}
