package dev.cutover.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The static pages from {@code ui/} (packaged into the jar under {@code ui/}): the admin UI at {@code /admin/}, the
 * demo at {@code /demo/}, the API reference at {@code /docs/} (Swagger UI over {@code /openapi.json}), the frontend
 * client module at {@code /client/cutover-client.js}, and the browser libraries
 * they use from their WebJars at {@code /vendor/<name>/} (so the pages name no version and nothing comes from a CDN).
 *
 * <p>Every page is served with a Content-Security-Policy that allows scripts, styles and connections from this origin
 * only and no inline script: text that others typed (ids, notes, reasons) can never run as code in the admin UI, even
 * if a page put it into HTML by mistake. Pages are public; what they show comes from the admin API, with the token.
 */
public final class UiRoutes {
    public static final String ADMIN = "/admin";
    public static final String DEMO = "/demo";
    public static final String CLIENT = "/client";
    public static final String DOCS = "/docs";
    public static final String VENDOR = "/vendor";
    public static final String UPLOT = VENDOR + "/uplot";
    public static final String SWAGGER_UI = VENDOR + "/swagger-ui";
    /** Every path a tree of static files is hosted under (each serves {@code <path>}, {@code <path>/} and below). */
    public static final List<String> HOSTED_PATHS = List.of(ADMIN, DEMO, DOCS, CLIENT, UPLOT, SWAGGER_UI);

    static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    private static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            // Small files, changed by a deploy: revalidated every time (Javalin answers the ETag with 304).
            "Cache-Control", "no-cache");

    public void register(JavalinConfig config) {
        page(config, ADMIN, "/ui/admin");
        page(config, DEMO, "/ui/demo");
        page(config, DOCS, "/ui/docs");
        page(config, CLIENT, "/ui/client");
        page(config, UPLOT, "/META-INF/resources/webjars/uplot/" + webJarVersion("org.webjars.npm", "uplot"));
        page(config, SWAGGER_UI, "/META-INF/resources/webjars/swagger-ui/" + webJarVersion("org.webjars", "swagger-ui"));
    }

    private static void page(JavalinConfig config, String hostedPath, String directory) {
        config.staticFiles.add(files -> {
            files.hostedPath = hostedPath;
            files.directory = directory;
            files.location = Location.CLASSPATH;
            files.headers = HEADERS;
        });
    }

    /** The WebJar's version from its own pom.properties, so upgrading it is a change to pom.xml alone. */
    static String webJarVersion(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = UiRoutes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("WebJar " + group + ":" + artifact + " is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
