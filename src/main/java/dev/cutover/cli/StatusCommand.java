package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code cutover status}: where the rollout stands, from {@code GET /api/v1/rollout}. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the rollout: status, phase, whisper percentage, version, time in phase against its soak, "
                + "whether it may advance and why not, and the last verdicts of its criteria and the guard's rules.")
final class StatusCommand implements Callable<Integer> {
    static final String ROLLOUT = "/api/v1/rollout";
    private static final int LABEL = 9;

    @ParentCommand
    private CutoverCommand cutover;

    @Override
    public Integer call() {
        return cutover.show(cutover.client().get(ROLLOUT), StatusCommand::print);
    }

    static void print(Terminal out, JsonNode view) {
        JsonNode phase = view.path("phase");
        int phases = view.at("/plan/phases").size();
        out.field("status", LABEL, view.path("status").asText() + rolledBackFrom(view));
        out.field("phase", LABEL, phase.path("index").asInt() + " '" + phase.path("name").asText() + "' at "
                + Readable.percent(phase.path("whisperPercent")) + " whisper (phases 0 to " + (phases - 1)
                + (phase.path("manual").asBoolean() ? "; manual" : "") + (phase.path("last").asBoolean()
                ? "; the last" : "") + ")");
        out.field("whisper", LABEL, whisperNow(view));
        out.field("version", LABEL, view.path("version").asText() + " (plan version "
                + view.path("planVersion").asText() + (view.at("/plan/autopilot").asBoolean() ? ", autopilot on"
                : "") + ")");
        out.field("since", LABEL, Readable.text(view.path("enteredAt")) + ", "
                + Readable.seconds(view.path("secondsInPhase").asLong()) + " in phase; minimum soak "
                + Readable.seconds(view.path("minimumSoakSeconds").asLong())
                + (view.path("soakElapsed").asBoolean() ? " (elapsed)" : " (not yet)"));
        JsonNode guard = view.path("guard");
        out.field("guard", LABEL, "every " + Readable.seconds(guard.path("intervalSeconds").asLong())
                + ", last run " + Readable.text(guard.path("lastRunAt"))
                + (guard.hasNonNull("instance") ? " on " + guard.path("instance").asText() : ""));
        out.field("advance", LABEL, view.path("canAdvance").asBoolean() ? "may advance" : "not yet:");
        for (JsonNode reason : view.path("reasons")) {
            out.line("  - " + reason.asText());
        }
        if (!view.path("criteria").isEmpty()) {
            out.line("criteria (all PASS to advance):");
            out.table(criteria(view.path("criteria")));
        }
        if (!view.path("rules").isEmpty()) {
            out.line("guard rules (last verdicts):");
            out.table(rules(view.path("rules")));
        }
    }

    /** One line after a transition: what the rollout is now. */
    static String summary(JsonNode view) {
        JsonNode phase = view.path("phase");
        return view.path("status").asText() + rolledBackFrom(view) + " at phase " + phase.path("index").asInt()
                + " '" + phase.path("name").asText() + "', " + whisperNow(view) + "; version "
                + view.path("version").asText();
    }

    private static String whisperNow(JsonNode view) {
        String status = view.path("status").asText();
        if ("ROLLED_BACK".equals(status)) {
            return "0 %: everyone on webspeech until resumed";
        }
        return Readable.percent(view.at("/phase/whisperPercent")) + " of sessions on whisper";
    }

    private static String rolledBackFrom(JsonNode view) {
        return view.hasNonNull("rolledBackFrom") ? " (from phase " + view.path("rolledBackFrom").asText() + ")" : "";
    }

    private static List<List<String>> criteria(JsonNode criteria) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode judged : criteria) {
            JsonNode verdict = judged.path("verdict");
            rows.add(List.of(verdict.path("verdict").asText(), Readable.check(judged.path("criterion")),
                    Readable.measured(verdict) + " (min " + judged.at("/criterion/minSamples").asText() + ")"));
        }
        return rows;
    }

    private static List<List<String>> rules(JsonNode rules) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode judged : rules) {
            JsonNode verdict = judged.path("verdict");
            JsonNode rule = judged.path("rule");
            rows.add(List.of(verdict.path("verdict").asText(), rule.path("action").asText(),
                    Readable.check(rule) + " over " + rule.path("window").asText(),
                    Readable.measured(verdict) + "; statistic " + Readable.number(verdict.path("statistic"))
                            + " of " + Readable.number(verdict.path("alarmLevel"))
                            + (judged.path("acted").asBoolean() ? "; ACTED" : "")));
        }
        return rows;
    }
}
