package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cutover.config.Settings;
import dev.cutover.db.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the production packaging without a Docker engine: docker-compose.yml's structure (parsed as
 * YAML), the app's environment in it accepted by the app's own settings reader, the Dockerfile's stages, user and
 * health check, and .env.example against every variable the app reads. .ci/dockerfile-smoke.sh runs the Dockerfile's
 * build, start and health-check commands outside Docker.
 */
class DeploymentFilesTest {
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(?::?([-?])([^}]*))?}");
    private static final Set<String> COMPOSE_ONLY = Set.of("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB",
            "WHISPER_MODEL_FILE");

    private final JsonNode compose = yaml(Path.of("docker-compose.yml"));

    @Test
    void composeRunsTheAppPostgresAndRedisEachWithAHealthCheck() {
        assertThat(names(compose.path("services"))).containsExactlyInAnyOrder("app", "postgres", "redis");
        for (String service : List.of("app", "postgres", "redis")) {
            JsonNode healthcheck = compose.at("/services/" + service + "/healthcheck");
            assertThat(healthcheck.path("test").isArray()).as(service + " healthcheck.test").isTrue();
            assertThat(healthcheck.path("interval").asText()).as(service).isNotEmpty();
            assertThat(healthcheck.path("retries").asInt()).as(service).isPositive();
            assertThat(compose.at("/services/" + service + "/restart").asText()).isEqualTo("unless-stopped");
        }
        assertThat(compose.at("/services/app/healthcheck/test").toString()).contains("http://127.0.0.1:8080/health");
        assertThat(compose.at("/services/postgres/healthcheck/test").toString()).contains("pg_isready");
        assertThat(compose.at("/services/redis/healthcheck/test").toString()).contains("redis-cli", "ping");
    }

    @Test
    void theAppStartsOnlyOncePostgresAndRedisAreHealthy() {
        JsonNode dependsOn = compose.at("/services/app/depends_on");
        assertThat(names(dependsOn)).containsExactlyInAnyOrder("postgres", "redis");
        dependsOn.forEach(d -> assertThat(d.path("condition").asText()).isEqualTo("service_healthy"));
    }

    @Test
    void redisIsABoundedLruCacheThatSurvivesARestart() {
        List<String> command = texts(compose.at("/services/redis/command"));
        assertThat(String.join(" ", command)).contains("--maxmemory 256mb", "--maxmemory-policy allkeys-lru",
                "--appendonly yes");
        assertThat(texts(compose.at("/services/redis/volumes"))).anyMatch(v -> v.endsWith(":/data"));
    }

    @Test
    void dataLivesInNamedVolumesAndModelsAreMountedReadOnly() {
        Set<String> declared = names(compose.path("volumes"));
        Set<String> used = new TreeSet<>();
        for (String service : names(compose.path("services"))) {
            for (String volume : texts(compose.at("/services/" + service + "/volumes"))) {
                String source = volume.split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    used.add(source);
                }
            }
        }
        assertThat(declared).containsExactlyInAnyOrderElementsOf(used);
        assertThat(texts(compose.at("/services/postgres/volumes"))).anyMatch(v -> v.endsWith(":/var/lib/postgresql/data"));
        assertThat(texts(compose.at("/services/app/volumes"))).contains("./models:/app/models:ro")
                .anyMatch(v -> v.endsWith(":/app/data"));
    }

    @Test
    void theAppsEnvironmentInComposeIsAcceptedByTheAppsOwnSettings() {
        Map<String, String> given = Map.of("ADMIN_TOKEN", "ops:secret", "WHISPER_API_KEY", "key");
        Map<String, String> env = new HashMap<>();
        compose.at("/services/app/environment").fields()
                .forEachRemaining(e -> env.put(e.getKey(), interpolate(e.getValue().asText(), given)));

        Settings settings = Settings.from(env);

        assertThat(settings.port()).isEqualTo(8080);
        assertThat(DatabaseUrl.parse(settings.databaseUrl().orElseThrow()).jdbcUrl())
                .isEqualTo("jdbc:postgresql://postgres:5432/cutover");
        assertThat(settings.redisUrl()).contains("redis://redis:6379/0");
        assertThat(settings.dataDir()).isEqualTo(Path.of("/app/data"));
        assertThat(texts(compose.at("/services/app/ports"))).containsExactly("${PORT:-8080}:8080");
    }

    @Test
    void composeRefusesToStartWithoutTheSecrets() {
        for (String secret : List.of("ADMIN_TOKEN", "WHISPER_API_KEY")) {
            String value = compose.at("/services/app/environment/" + secret).asText();
            Matcher m = INTERPOLATION.matcher(value);
            assertThat(m.matches()).as(secret).isTrue();
            assertThat(m.group(2)).as(secret + " uses ${" + secret + ":?…}").isEqualTo("?");
        }
    }

    @Test
    void envExampleListsEveryVariableTheAppAndComposeReadOnce() throws IOException {
        List<String> listed = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(".env.example"))) {
            Matcher m = Pattern.compile("^#? ?([A-Z][A-Z0-9_]*)=").matcher(line);
            if (m.find()) {
                listed.add(m.group(1));
            }
        }
        Set<String> expected = new TreeSet<>(settingsVariables());
        expected.addAll(COMPOSE_ONLY);
        Matcher m = INTERPOLATION.matcher(Files.readString(Path.of("docker-compose.yml")));
        while (m.find()) {
            expected.add(m.group(1));
        }

        assertThat(listed).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(listed)).isEqualTo(expected);
    }

    @Test
    void theImageIsBuiltInTwoStagesAndRunsAsAnUnprivilegedUserWithAHealthCheck() throws IOException {
        List<String> dockerfile = Files.readAllLines(Path.of("Dockerfile"));
        List<String> from = dockerfile.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).contains(" AS build");
        String text = String.join("\n", dockerfile);
        assertThat(text).contains("COPY --from=build /src/target/cutover.jar /app/cutover.jar")
                .contains("libgomp1").contains("ffmpeg")
                .contains("VOLUME [\"/app/models\", \"/app/data\"]")
                .contains("HEALTHCHECK ").contains("/health")
                .contains("ENTRYPOINT [\"java\", \"-XX:+ExitOnOutOfMemoryError\", \"-jar\", \"/app/cutover.jar\"]");
        String user = dockerfile.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertThat(user).isEqualTo("USER cutover");
        assertThat(text.indexOf("USER cutover")).isGreaterThan(text.lastIndexOf("FROM "));
    }

    /** Every environment variable {@link Settings} reads, taken from its source (it names each one once, quoted). */
    private static Set<String> settingsVariables() throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/cutover/config/Settings.java"));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("r\\.[a-zA-Z]+\\(\"([A-Z][A-Z0-9_]*)\"").matcher(source);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).hasSizeGreaterThan(30);
        return names;
    }

    /** Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} with {@code given} as the .env file. */
    private static String interpolate(String value, Map<String, String> given) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement = given.get(name);
            if (replacement == null && "?".equals(m.group(2))) {
                throw new AssertionError(name + " is required: " + m.group(3));
            }
            if (replacement == null) {
                replacement = "-".equals(m.group(2)) ? m.group(3) : "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static JsonNode yaml(Path file) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new LinkedHashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
