package dev.cutover.http;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the API reference, written by hand in {@code src/main/resources/openapi/openapi.json}
 * and read once from the classpath; Swagger UI shows it at {@code /docs}. Public, like the pages. Immutable.
 */
public final class OpenApiRoutes {
    public static final String PATH = "/openapi.json";
    static final String RESOURCE = "/openapi/openapi.json";

    private final byte[] document;

    public OpenApiRoutes() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            this.document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(JavalinConfig config) {
        config.routes.get(PATH, ctx -> ctx
                .header("Cache-Control", "no-cache")
                .contentType("application/json")
                .result(document));
    }
}
