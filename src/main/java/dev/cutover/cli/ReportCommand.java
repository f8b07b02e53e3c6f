package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code cutover report}: the migration report ({@code GET /api/v1/rollout/report}), summarised. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Show the migration report: the runbook's success criteria over the last 7 days, whether the "
                + "migration is done and why not, and the phase history (--json for all of it).")
final class ReportCommand implements Callable<Integer> {
    static final String REPORT = "/api/v1/rollout/report";
    private static final int LABEL = 9;

    @ParentCommand
    private CutoverCommand cutover;

    @Override
    public Integer call() {
        return cutover.show(cutover.client().get(REPORT), ReportCommand::print);
    }

    static void print(Terminal out, JsonNode report) {
        out.field("rollout", LABEL, report.path("status").asText() + " at '" + report.path("phase").asText() + "' ("
                + Readable.percent(report.path("whisperPercent")) + ")"
                + (report.hasNonNull("atFullSince") ? ", at 100 % since " + report.path("atFullSince").asText()
                + " (" + Readable.seconds(report.path("secondsAtFull").asLong()) + ")" : ""));
        out.field("judged", LABEL, report.path("from").asText() + " to " + report.path("to").asText());
        out.field("ready", LABEL, report.path("ready").asBoolean() ? "yes: the migration is done" : "no");
        out.line("criteria:");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : report.path("criteria")) {
            rows.add(List.of(c.path("verdict").asText(), c.path("name").asText(),
                    "value " + Readable.number(c.path("value")) + interval(c) + ", " + c.path("samples").asLong()
                            + " samples (min " + c.path("minSamples").asLong() + ")"));
        }
        out.table(rows);
        if (!report.path("reasons").isEmpty()) {
            out.line("not done because:");
            for (JsonNode reason : report.path("reasons")) {
                out.line("  - " + reason.asText());
            }
        }
        out.line("phases:");
        List<List<String>> stays = new ArrayList<>();
        for (JsonNode stay : report.path("phases")) {
            stays.add(List.of(stay.path("phase").asText(), stay.path("name").asText(),
                    Readable.percent(stay.path("whisperPercent")), stay.path("enteredAt").asText(),
                    Readable.seconds(stay.path("seconds").asLong()),
                    "by " + stay.path("enteredBy").asText() + (stay.path("forced").asBoolean() ? " (forced)" : "")
                            + rollbacks(stay) + ": " + stay.path("reason").asText()));
        }
        out.table(stays);
    }

    private static String interval(JsonNode c) {
        return c.hasNonNull("lower") && c.hasNonNull("upper")
                ? " [" + Readable.number(c.path("lower")) + ", " + Readable.number(c.path("upper")) + "]" : "";
    }

    private static String rollbacks(JsonNode stay) {
        int n = stay.path("rollbacks").size();
        return n == 0 ? "" : ", " + n + " rollback" + (n == 1 ? "" : "s");
    }
}
