package dev.cutover.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One run of the command line in this JVM: its exit code and what it printed to stdout and stderr. */
record CliRun(int code, String out, String err) {

    /** Runs {@code args} with exactly {@code env} as the environment. */
    static CliRun of(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cli.run(args, env, o, e);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The environment of an operator pointed at {@code baseUrl} with {@code adminToken}. */
    static Map<String, String> env(String baseUrl, String adminToken) {
        Map<String, String> env = new HashMap<>();
        env.put("CUTOVER_URL", baseUrl);
        env.put("ADMIN_TOKEN", adminToken);
        return env;
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
