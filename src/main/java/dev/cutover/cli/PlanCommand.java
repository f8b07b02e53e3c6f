package dev.cutover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cutover plan}: the rollout plan ({@code GET /api/v1/rollout/plan}); {@code plan set FILE} replaces it. */
@Command(name = "plan", mixinStandardHelpOptions = true, subcommands = PlanCommand.Set.class,
        description = "Show the rollout plan: its phases, their soak, success criteria and the guard's rules.")
final class PlanCommand implements Callable<Integer> {
    static final String PLAN = "/api/v1/rollout/plan";

    @ParentCommand
    private CutoverCommand cutover;

    @Override
    public Integer call() {
        return cutover.show(cutover.client().get(PLAN), PlanCommand::print);
    }

    static void print(Terminal out, JsonNode view) {
        JsonNode plan = view.path("plan");
        out.line("plan version " + view.path("planVersion").asText() + ", " + plan.path("phases").size()
                + " phases, autopilot " + (plan.path("autopilot").asBoolean() ? "on" : "off"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("#", "phase", "whisper", "soak", "manual", "criteria", "rules"));
        int index = 0;
        for (JsonNode phase : plan.path("phases")) {
            rows.add(List.of(Integer.toString(index++), phase.path("name").asText(),
                    Readable.percent(phase.path("whisperPercent")), phase.path("minimumSoak").asText(),
                    Readable.yesNo(phase.path("manual").asBoolean()),
                    Integer.toString(phase.path("criteria").size()), Integer.toString(phase.path("rules").size())));
        }
        out.table(rows);
        index = 0;
        for (JsonNode phase : plan.path("phases")) {
            if (phase.path("criteria").isEmpty() && phase.path("rules").isEmpty()) {
                index++;
                continue;
            }
            out.line("phase " + index++ + " '" + phase.path("name").asText() + "':");
            List<List<String>> checks = new ArrayList<>();
            for (JsonNode criterion : phase.path("criteria")) {
                checks.add(List.of("advance when", Readable.check(criterion) + " over "
                        + criterion.path("window").asText() + ", min " + criterion.path("minSamples").asText()));
            }
            for (JsonNode rule : phase.path("rules")) {
                checks.add(List.of(rule.path("action").asText() + " if", Readable.check(rule) + " over "
                        + rule.path("window").asText() + ", min " + rule.path("minSamples").asText()));
            }
            out.table(checks);
        }
    }

    /**
     * {@code cutover plan set FILE --reason TEXT}: {@code PUT /api/v1/rollout/plan}. FILE holds a plan ({@code
     * {"phases": [...], "autopilot": false}}) or what {@code plan --json} printed; in that case its {@code
     * planVersion} is the expected version, so an edit of a plan someone has changed since is refused rather than
     * overwriting theirs. A bare plan replaces the current version.
     */
    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Replace the plan with the one in FILE (a plan, or the output of 'plan --json').")
    static final class Set implements Callable<Integer> {
        @ParentCommand
        private PlanCommand plan;
        @Mixin
        private TransitionCommands.Reason reason;
        @Parameters(index = "0", paramLabel = "FILE", description = "The plan as JSON.")
        private Path file;

        @Override
        public Integer call() {
            CutoverCommand cutover = plan.cutover;
            JsonNode read = read(cutover);
            boolean wrapped = read.has("plan");
            JsonNode newPlan = wrapped ? read.path("plan") : read;
            if (!newPlan.isObject()) {
                throw CliFailure.usage(file + " holds no plan: write {\"phases\": [...], \"autopilot\": false}, or "
                        + "the output of 'cutover plan --json'");
            }
            AdminClient client = cutover.client();
            long expected = wrapped && read.path("planVersion").canConvertToLong()
                    ? read.path("planVersion").asLong()
                    : client.get(PLAN).path("planVersion").asLong();
            ObjectNode body = cutover.mapper().createObjectNode();
            body.put("expectedVersion", expected);
            body.put("reason", reason.text());
            body.set("plan", newPlan);
            return cutover.show(client.put(PLAN, body), (out, saved) -> out.line("plan saved: version "
                    + saved.path("planVersion").asText() + ", " + saved.at("/plan/phases").size() + " phases"));
        }

        private JsonNode read(CutoverCommand cutover) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw CliFailure.usage("cannot read the plan file " + file + ": " + e.getMessage());
            }
            try {
                JsonNode node = cutover.mapper().readTree(text);
                if (node == null || !node.isObject()) {
                    throw CliFailure.usage(file + " is not a JSON object");
                }
                return node;
            } catch (JsonProcessingException e) {
                throw CliFailure.usage(file + " is not valid JSON: " + e.getOriginalMessage() + " (line "
                        + e.getLocation().getLineNr() + ")");
            }
        }
    }
}
