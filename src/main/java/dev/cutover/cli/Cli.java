package dev.cutover.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * The operator command line: {@code java -jar cutover.jar status | advance | pause | resume | rollback | complete |
 * plan | report | audit}, talking HTTP to a running instance's admin API. It loads none of the server's classes (no
 * Javalin, Jdbi or whisper), so it starts in a fraction of a second.
 *
 * <p>Exit codes, for scripts: {@link #OK}, {@link #REFUSED} (the server said no: any 4xx, with its reasons on
 * stderr), {@link #USAGE} (bad arguments, a missing {@code --reason}, an unreadable plan file, no admin token) and
 * {@link #UNREACHABLE} (no connection, a timeout, a 5xx).
 */
public final class Cli {
    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;

    private Cli() {
    }

    /** Runs with the process's environment, stdout and stderr; the exit code to end the process with. */
    public static int run(String[] args) {
        return run(args, System.getenv(), System.out, System.err);
    }

    /** Runs one command; everything it reads from the environment comes from {@code env}. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        ObjectMapper json = new ObjectMapper();
        Terminal terminal = new Terminal(out, err, json);
        CutoverCommand root = new CutoverCommand(env, terminal, json);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        commandLine.setExecutionExceptionHandler((e, command, parsed) -> {
            if (!(e instanceof CliFailure failure)) {
                throw e;
            }
            if (root.json() && failure.body() != null) {
                terminal.json(failure.body());
            }
            for (int i = 0; i < failure.lines().size(); i++) {
                terminal.error((i == 0 ? "cutover: " : "") + failure.lines().get(i));
            }
            return failure.exitCode();
        });
        return commandLine.execute(args);
    }
}
