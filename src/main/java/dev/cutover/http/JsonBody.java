package dev.cutover.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.http.JsonMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * A request body read as a JSON object, with typed field access that answers 400 naming the field. Numbers are kept
 * as exact decimals so that "10.555" is refused rather than rounded. Text is refused, never altered, when it is not
 * valid Unicode (a lone surrogate would be stored as '?'). Immutable.
 */
public final class JsonBody {
    /** No field takes a number longer than this; longer ones are refused by the parser before they are converted. */
    static final int MAX_NUMBER_LENGTH = 100;
    private static final ObjectMapper READER = reader();

    private final JsonNode root;

    private JsonBody(JsonNode root) {
        this.root = root;
    }

    public static JsonBody parse(String text, String example) {
        return parse(text == null || text.isBlank() ? null : () -> READER.readTree(text), example);
    }

    /**
     * As {@link #parse(String, String)}, from the body's bytes: bytes that are not UTF-8 are then refused by the parser,
     * where decoding them to a String first would have replaced them with U+FFFD.
     */
    public static JsonBody parse(byte[] body, String example) {
        return parse(body == null || body.length == 0 ? null : () -> READER.readTree(body), example);
    }

    private static JsonBody parse(TreeRead read, String example) {
        JsonNode root;
        try {
            root = read == null ? null : read.tree();
        } catch (JacksonException e) {
            throw ApiError.badRequest("malformed_json", "The body is not valid JSON (" + e.getOriginalMessage()
                    + "). Send an object such as " + example + ".");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from memory: not expected
        } catch (NumberFormatException | ArithmeticException e) {
            // BigDecimal refuses exponents beyond the int range (1e2147483648) while the tree is built; the
            // exception's message repeats the number, so it is not passed on.
            throw ApiError.badRequest("malformed_json", "The body holds a number whose exponent is out of range. "
                    + "Send an object such as " + example + ".");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("malformed_json", "The body must be a JSON object such as " + example + ".");
        }
        return new JsonBody(root);
    }

    @FunctionalInterface
    private interface TreeRead {
        JsonNode tree() throws IOException;
    }

    public Optional<BigDecimal> optionalDecimal(String name) {
        return field(name).map(node -> {
            if (!node.isNumber()) {
                throw ApiError.badRequest("invalid_" + snake(name), name + " must be a JSON number.");
            }
            return node.decimalValue();
        });
    }

    public long requiredLong(String name) {
        JsonNode node = field(name).orElseThrow(() -> ApiError.badRequest("missing_" + snake(name),
                name + " is required: send the version you last read."));
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw ApiError.badRequest("invalid_" + snake(name), name + " must be a whole number.");
        }
        return node.longValue();
    }

    public Optional<String> optionalText(String name) {
        return field(name).map(node -> {
            if (!node.isTextual()) {
                throw ApiError.badRequest("invalid_" + snake(name), name + " must be a JSON string.");
            }
            String text = node.textValue();
            int surrogate = unpairedSurrogate(text);
            if (surrogate >= 0) {
                throw ApiError.badRequest("invalid_text", name + " is not valid Unicode text: it holds an unpaired "
                        + "surrogate (\\u" + Integer.toHexString(text.charAt(surrogate)) + ") at position " + surrogate + ".");
            }
            return text;
        });
    }

    /** The index of the first UTF-16 surrogate that is not half of a pair, or -1 when the text is valid Unicode. */
    public static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    public String requiredText(String name, String hint) {
        return optionalText(name).orElseThrow(() -> ApiError.badRequest("missing_" + snake(name),
                name + " is required: " + hint));
    }

    /** A field that is absent or JSON null is treated as not given. */
    /** A field as it was sent (absent or JSON null: empty), for bodies with nested structure. */
    public Optional<JsonNode> node(String name) {
        return field(name);
    }

    private Optional<JsonNode> field(String name) {
        JsonNode node = root.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    private static ObjectMapper reader() {
        ObjectMapper mapper = JsonMapping.objectMapper()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNumberLength(MAX_NUMBER_LENGTH).build());
        return mapper;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }
}
