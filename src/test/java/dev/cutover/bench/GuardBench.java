package dev.cutover.bench;

import dev.cutover.rollout.ErrorRates;
import dev.cutover.rollout.Phase;
import dev.cutover.rollout.RolloutPlan;
import dev.cutover.rollout.Scenario;
import dev.cutover.rollout.SimulationResult;
import dev.cutover.rollout.Simulator;
import dev.cutover.rollout.Traffic;
import java.time.Duration;
import java.util.Locale;

/**
 * The simulator's figures for a phase of the default plan (bench/guard.sh): for each whisper traffic, the
 * false-rollback rate with whisper healthy at 0.5 % (webspeech 0.5 %), and the minutes to rollback (median / 95th
 * percentile) with whisper at 5 % and at 100 % errors. Webspeech carries the rest of the phase's split (at 10 %, 9×
 * whisper). The same {@link Simulator} as {@code POST /api/v1/rollout/plan/simulate} and GuardSimulationTest.
 * <pre>
 * java -cp "$TEST_CLASSPATH" dev.cutover.bench.GuardBench [--phase canary] [--rates 5,20,200] [--runs 1000]
 *     [--hours 48] [--seed 1] [--interval-seconds 15]
 * </pre>
 * Prints one {@code RESULT} line per traffic.
 */
public final class GuardBench {
    private GuardBench() {
    }

    public static void main(String[] args) {
        String phaseName = "canary";
        String rates = "5,20,200";
        int runs = Scenario.DEFAULT_RUNS;
        long hours = 48;
        long seed = 1;
        long intervalSeconds = 15;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--phase" -> phaseName = args[i + 1];
                case "--rates" -> rates = args[i + 1];
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--hours" -> hours = Long.parseLong(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--interval-seconds" -> intervalSeconds = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        RolloutPlan plan = RolloutPlan.defaultPlan();
        int index = plan.indexOf(phaseName);
        if (index < 0) {
            throw new IllegalArgumentException("no phase " + phaseName + " in the default plan");
        }
        Phase phase = plan.phase(index);
        double share = phase.whisperPercent().doubleValue() / 100;
        System.out.printf(Locale.ROOT, "phase %s (%s %%), %d runs x %d h, guard every %d s, seed %d%n", phase.name(),
                phase.whisperPercent().toPlainString(), runs, hours, intervalSeconds, seed);
        for (String rate : rates.split(",")) {
            double whisper = Double.parseDouble(rate.trim());
            Traffic traffic = share > 0 ? Traffic.split(whisper / share, phase.whisperPercent()) : new Traffic(whisper, 0);
            Duration length = Duration.ofHours(hours);
            Duration interval = Duration.ofSeconds(intervalSeconds);
            long started = System.nanoTime();
            SimulationResult healthy = Simulator.simulate(phase,
                    new Scenario(traffic, new ErrorRates(0.005, 0.005), true, length, runs, seed, interval));
            SimulationResult five = Simulator.simulate(phase,
                    new Scenario(traffic, new ErrorRates(0.05, 0.005), true, length, runs, seed, interval));
            SimulationResult all = Simulator.simulate(phase,
                    new Scenario(traffic, new ErrorRates(1.0, 0.005), true, length, runs, seed, interval));
            long ms = (System.nanoTime() - started) / 1_000_000;
            System.out.printf(Locale.ROOT, "RESULT guard simulation whisper %s/min (webspeech %s/min): false rollbacks "
                            + "at 0.5 %% %.1f %% (%d of %d); rollback at 5 %% median %s min, p95 %s min (%d of %d rolled "
                            + "back); at 100 %% median %s min, p95 %s min; %d ms%n",
                    trim(traffic.whisperAttemptsPerMinute()), trim(traffic.webspeechAttemptsPerMinute()),
                    100 * healthy.falseRollbackRate(), healthy.falseRollbacks(), healthy.runs(),
                    minutes(five.medianMinutesToRollback()), minutes(five.p95MinutesToRollback()), five.rolledBack(),
                    five.runs(), minutes(all.medianMinutesToRollback()), minutes(all.p95MinutesToRollback()), ms);
        }
    }

    private static String minutes(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
