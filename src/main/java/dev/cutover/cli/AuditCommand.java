package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cutover audit}: the audit trail ({@code GET /api/v1/audit}), newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "List the audit trail, newest first: every change, who made it and why.")
final class AuditCommand implements Callable<Integer> {
    static final String AUDIT = "/api/v1/audit";

    @ParentCommand
    private CutoverCommand cutover;
    @Spec
    private CommandSpec spec;

    private Integer limit;
    @Option(names = "--action", paramLabel = "PREFIX",
            description = "Only actions starting with this, e.g. rollout. or rollout.rollback.")
    private String action;
    @Option(names = "--actor", paramLabel = "NAME", description = "Only this actor (a token's name, or guard).")
    private String actor;
    private Long before;

    @Option(names = "--limit", paramLabel = "N", description = "At most N rows (default 50, at most 500).")
    void limit(int value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1 or more");
        }
        limit = value;
    }

    @Option(names = "--before", paramLabel = "ID", description = "Rows older than this id (the next page).")
    void before(long value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--before must be 1 or more");
        }
        before = value;
    }

    @Override
    public Integer call() {
        return cutover.show(cutover.client().get(AUDIT + query()), this::print);
    }

    private void print(Terminal out, JsonNode page) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("id", "at", "actor", "action", "target", "reason"));
        for (JsonNode event : page.path("events")) {
            rows.add(List.of(event.path("id").asText(), event.path("at").asText(), event.path("actor").asText(),
                    event.path("action").asText(), event.path("target").asText(), Readable.text(event.path("reason"))));
        }
        if (rows.size() == 1) {
            out.line("no audit rows" + (action != null || actor != null ? " match" : ""));
        } else {
            out.table(rows);
        }
        if (page.hasNonNull("nextBefore")) {
            out.line("older rows: --before " + page.path("nextBefore").asText());
        }
    }

    private String query() {
        List<String> params = new ArrayList<>();
        if (limit != null) {
            params.add("limit=" + limit);
        }
        if (before != null) {
            params.add("before=" + before);
        }
        if (action != null) {
            params.add("action=" + URLEncoder.encode(action, StandardCharsets.UTF_8));
        }
        if (actor != null) {
            params.add("actor=" + URLEncoder.encode(actor, StandardCharsets.UTF_8));
        }
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }
}
