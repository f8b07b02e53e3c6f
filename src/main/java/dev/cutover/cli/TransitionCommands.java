package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The rollout's transitions, each {@code GET /api/v1/rollout} for the version, then {@code POST
 * /api/v1/rollout/<action>} with {@code {"expectedVersion", "reason"(, "force")}}: a change made meanwhile by someone
 * else (or the guard) is refused, not overwritten. Rollback alone retries once on such a conflict, since nothing it
 * could overwrite makes it less wanted.
 */
final class TransitionCommands {
    static final String VERSION_CONFLICT = "version_conflict";

    private TransitionCommands() {
    }

    /** {@code --reason TEXT}, required and not blank: it is kept in the audit log and sent with the notification. */
    static final class Reason {
        @Spec(Spec.Target.MIXEE)
        private CommandSpec spec;
        private String text;

        @Option(names = "--reason", required = true, paramLabel = "TEXT",
                description = "Why (required; kept in the audit log and sent with the notification).")
        void text(String value) {
            if (value.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--reason must say why: it is kept in the audit log");
            }
            text = value.strip();
        }

        String text() {
            return text;
        }
    }

    /** What every transition command has: the instance (through the root command) and a reason. */
    abstract static class Transition implements Callable<Integer> {
        @ParentCommand
        CutoverCommand cutover;
        @Mixin
        Reason reason;
        private final String action;

        Transition(String action) {
            this.action = action;
        }

        boolean force() {
            return false;
        }

        @Override
        public Integer call() {
            AdminClient client = cutover.client();
            JsonNode view = client.get(StatusCommand.ROLLOUT);
            return done(cutover, action + (force() ? " (forced)" : ""),
                    post(cutover, client, action, view, reason.text(), force()));
        }
    }

    @Command(name = "advance", mixinStandardHelpOptions = true,
            description = "Start the next phase; refused (exit 1, reasons printed) unless it may advance, or --force.")
    static final class Advance extends Transition {
        @Option(names = "--force", description = "Advance although the soak or the criteria say not yet (audited as "
                + "forced, with the unmet reasons).")
        private boolean force;

        Advance() {
            super("advance");
        }

        @Override
        boolean force() {
            return force;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Hold the current phase: traffic stays, nothing advances until resumed.")
    static final class Pause extends Transition {
        Pause() {
            super("pause");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused rollout, or bring a rolled-back one back to its phase, paused.")
    static final class Resume extends Transition {
        Resume() {
            super("resume");
        }
    }

    @Command(name = "complete", mixinStandardHelpOptions = true,
            description = "Finish the migration at the last phase (100 % whisper).")
    static final class Complete extends Transition {
        Complete() {
            super("complete");
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Everyone back on webspeech now, the allowlist included, until an engineer resumes. Exit 0 "
                    + "when it is already rolled back; retries once if the rollout changed meanwhile.")
    static final class Rollback extends Transition {
        Rollback() {
            super("rollback");
        }

        @Override
        public Integer call() {
            AdminClient client = cutover.client();
            JsonNode view = client.get(StatusCommand.ROLLOUT);
            for (int attempt = 0; ; attempt++) {
                if ("ROLLED_BACK".equals(view.path("status").asText())) {
                    return done(cutover, "already rolled back", view);
                }
                try {
                    return done(cutover, "rolled back", post(cutover, client, "rollback", view, reason.text(), false));
                } catch (CliFailure refused) {
                    if (attempt > 0 || !conflict(refused)) {
                        throw refused;
                    }
                    view = client.get(StatusCommand.ROLLOUT);
                }
            }
        }
    }

    private static JsonNode post(CutoverCommand cutover, AdminClient client, String action, JsonNode view,
                                 String reason, boolean force) {
        ObjectNode body = cutover.mapper().createObjectNode();
        body.put("expectedVersion", view.path("version").asLong());
        body.put("reason", reason);
        if (force) {
            body.put("force", true);
        }
        return client.post(StatusCommand.ROLLOUT + "/" + action, body);
    }

    private static int done(CutoverCommand cutover, String what, JsonNode view) {
        return cutover.show(view, (out, v) -> out.line(what + ": " + StatusCommand.summary(v)));
    }

    private static boolean conflict(CliFailure failure) {
        return failure.body() != null && VERSION_CONFLICT.equals(failure.body().path("error").asText());
    }
}
