package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.App;
import dev.cutover.config.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code cutover}: the options every command shares (where the instance is, the admin token, JSON output, the
 * timeout) and the commands. The options may stand before or after the command's name.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        // A compile-time constant: javac copies it here, so App (and the server it wires) is never loaded.
        version = "cutover " + App.VERSION,
        description = "Runs the whisper rollout of a running Cutover instance through its admin API.",
        subcommands = {StatusCommand.class, TransitionCommands.Advance.class, TransitionCommands.Pause.class,
                TransitionCommands.Resume.class, TransitionCommands.Rollback.class,
                TransitionCommands.Complete.class, PlanCommand.class, ReportCommand.class, AuditCommand.class},
        footerHeading = "%n",
        footer = {"Environment: CUTOVER_URL (--url), ADMIN_TOKEN (--token; for name:secret pairs the first pair's "
                + "secret), DATA_DIR (without either, the token in DATA_DIR/admin-token; default data).",
                "Exit codes: 0 ok, 1 refused by the server (reasons on stderr), 2 usage, 3 unreachable "
                        + "(no connection, timeout, 5xx).",
                "Serve with no command (or 'serve')."})
final class CutoverCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    @Spec
    private CommandSpec spec;

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The instance, e.g. https://cutover.internal (env CUTOVER_URL; default " + DEFAULT_URL + ").")
    private String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "SECRET",
            description = "The admin token's secret (env ADMIN_TOKEN, else DATA_DIR/admin-token).")
    private String token;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print the server's JSON answer (errors too, on stdout) instead of text.")
    private boolean json;

    private Duration timeout = Duration.ofSeconds(5);

    private final Map<String, String> env;
    private final Terminal terminal;
    private final ObjectMapper mapper;

    CutoverCommand(Map<String, String> env, Terminal terminal, ObjectMapper mapper) {
        this.env = Map.copyOf(env);
        this.terminal = terminal;
        this.mapper = mapper;
    }

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION",
            description = "How long to wait for a connection and for each answer: 500ms, 5s, 1m (default 5s).")
    void timeout(String text) {
        Duration parsed;
        try {
            parsed = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
        }
        if (parsed.isZero()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be more than 0");
        }
        timeout = parsed;
    }

    /** With no command: the usage, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Cli.USAGE;
    }

    boolean json() {
        return json;
    }

    /** Prints a command's answer: the server's JSON with --json, else {@code asText}'s lines; the command is done. */
    int show(JsonNode answer, BiConsumer<Terminal, JsonNode> asText) {
        if (json) {
            terminal.json(answer);
        } else {
            asText.accept(terminal, answer);
        }
        return Cli.OK;
    }

    Terminal terminal() {
        return terminal;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** The admin API of the instance named by --url / CUTOVER_URL, with the resolved token. */
    AdminClient client() {
        return new AdminClient(baseUri(), AdminToken.resolve(token, env), timeout, mapper);
    }

    private URI baseUri() {
        String text = url != null ? url : env.getOrDefault("CUTOVER_URL", "");
        if (text.isBlank()) {
            text = DEFAULT_URL;
        }
        URI uri;
        try {
            uri = URI.create(text.strip().replaceAll("/+$", "") + "/");
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("--url '" + text + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw CliFailure.usage("--url '" + text + "' is not an http(s) URL such as " + DEFAULT_URL);
        }
        return uri;
    }
}
