package dev.cutover.apidocs;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.cutover.testing.HttpTestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * openapi.json as the tests read it: its operations as {@code METHOD path}, and the schema it gives for a response
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12; their {@code $ref}s resolve inside the document).
 */
final class OpenApiDocument {
    static final String RESOURCE = "/openapi/openapi.json";
    private static final String URI = "https://cutover.invalid/openapi.json";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private final String text;
    private final JsonNode root;
    private final SchemaRegistry schemas;

    private OpenApiDocument(String text) {
        this.text = text;
        this.root = HttpTestClient.json(text);
        this.schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(Map.of(URI, text)));
    }

    static OpenApiDocument fromClasspath() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new AssertionError(RESOURCE + " is not on the test classpath");
            }
            return new OpenApiDocument(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String text() {
        return text;
    }

    JsonNode root() {
        return root;
    }

    /** Every operation, as {@code GET /api/v1/flags/{key}}. */
    Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (METHODS.contains(method)) {
                    operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
            });
        }
        return operations;
    }

    /**
     * The problems of {@code response} against what the document says {@code method path} answers with its status and
     * content type: undocumented status or type, or every schema violation. Empty when it conforms.
     */
    List<String> check(String method, String path, HttpResponse<String> response) {
        String operation = method.toUpperCase(Locale.ROOT) + " " + path + " " + response.statusCode();
        String responsePointer = "/paths/" + escape(path) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/"
                + response.statusCode();
        JsonNode documented = root.at(responsePointer);
        if (documented.isMissingNode()) {
            return List.of(operation + ": status not documented (" + response.body() + ")");
        }
        if (documented.has("$ref")) {
            responsePointer = documented.get("$ref").asText().substring(1);
            documented = root.at(responsePointer);
        }
        String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        if (!documented.path("content").has(type)) {
            return List.of(operation + ": content type '" + type + "' not documented");
        }
        String schemaPointer = responsePointer + "/content/" + escape(type) + "/schema";
        Schema schema = schemas.getSchema(SchemaLocation.of(URI + "#" + schemaPointer));
        List<String> problems = new ArrayList<>();
        for (Error error : schema.validate(HttpTestClient.json(response.body()))) {
            problems.add(operation + ": " + error + " in " + abbreviate(response.body()));
        }
        return problems;
    }

    private static String escape(String pointerToken) {
        return pointerToken.replace("~", "~0").replace("/", "~1");
    }

    private static String abbreviate(String body) {
        return body.length() <= 400 ? body : body.substring(0, 400) + "…";
    }
}
