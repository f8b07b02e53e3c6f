package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Why a command stops short: its exit code, the lines that say why (printed to stderr) and, when the server answered
 * with an error body, that body (printed to stdout under {@code --json}, for scripts).
 */
final class CliFailure extends RuntimeException {
    private final int exitCode;
    private final List<String> lines;
    private final JsonNode body;

    CliFailure(int exitCode, List<String> lines, JsonNode body) {
        super(String.join("; ", lines), null, false, false);
        this.exitCode = exitCode;
        this.lines = List.copyOf(lines);
        this.body = body;
    }

    static CliFailure usage(String line) {
        return new CliFailure(Cli.USAGE, List.of(line), null);
    }

    static CliFailure unreachable(String line) {
        return new CliFailure(Cli.UNREACHABLE, List.of(line), null);
    }

    int exitCode() {
        return exitCode;
    }

    List<String> lines() {
        return lines;
    }

    /** The server's error body, or null. */
    JsonNode body() {
        return body;
    }
}
