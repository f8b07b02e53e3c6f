package dev.cutover.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulatorTest {
    private static final Phase CANARY = RolloutPlan.defaultPlan().phase(2);

    @Test
    void theSameScenarioGivesTheSameFigures() {
        Scenario scenario = Scenario.of(new Traffic(20, 180), new ErrorRates(0.03, 0.005)).withRuns(200).withSeed(5);

        assertThat(Simulator.simulate(CANARY, scenario)).isEqualTo(Simulator.simulate(CANARY, scenario));
        assertThat(Simulator.simulate(CANARY, scenario.withSeed(6)))
                .isNotEqualTo(Simulator.simulate(CANARY, scenario));
    }

    @Test
    void rulesTheSimulatorCannotDriveAreListed() {
        SimulationResult result = Simulator.simulate(CANARY,
                Scenario.of(new Traffic(20, 180), new ErrorRates(0.005, 0.005)).withRuns(1).withLength(Duration.ofHours(1)));

        assertThat(result.notSimulated()).hasSize(3)
                .anySatisfy(r -> assertThat(r).contains("slow_share"))
                .anySatisfy(r -> assertThat(r).contains("cache_hit_rate"))
                .anySatisfy(r -> assertThat(r).contains("srm"));
    }

    @Test
    void aRollbackIsFalseOnlyWhenWhisperIsWithinTheRulesTolerance() {
        AlertRule absolute = CANARY.rules().get(0);
        AlertRule relative = CANARY.rules().get(1);
        Scenario atOnePercent = Scenario.of(new Traffic(20, 180), new ErrorRates(0.01, 0.005));
        Scenario atOnePointOne = Scenario.of(new Traffic(20, 180), new ErrorRates(0.011, 0.005));

        assertThat(Simulator.withinTolerance(absolute, atOnePercent)).isTrue();
        assertThat(Simulator.withinTolerance(relative, atOnePercent)).isTrue(); // 0.5 % + 0.5 points
        assertThat(Simulator.withinTolerance(absolute, atOnePointOne)).isFalse();
        assertThat(Simulator.withinTolerance(relative, atOnePointOne)).isFalse();
        assertThat(Simulator.withinTolerance(CANARY.rules().get(3), atOnePercent.withWhisperReady(false))).isFalse();
    }

    @Test
    void trafficSplitsAtThePhasePercentage() {
        Traffic traffic = Traffic.split(200, new BigDecimal("10"));

        assertThat(traffic.whisperAttemptsPerMinute()).isCloseTo(20, within(1e-9));
        assertThat(traffic.webspeechAttemptsPerMinute()).isCloseTo(180, within(1e-9));
    }

    @Test
    void aScenarioTooLargeToRunQuicklyIsRefused() {
        Scenario base = Scenario.of(new Traffic(20, 180), new ErrorRates(0.005, 0.005));

        assertThatThrownBy(() -> base.withRuns(100_000).withLength(Duration.ofDays(7)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
        assertThatThrownBy(() -> base.withGuardInterval(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorRates(1.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void percentilesAreByNearestRank() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

        assertThat(Simulator.percentile(sorted, 0.5)).isEqualTo(5.0);
        assertThat(Simulator.percentile(sorted, 0.95)).isEqualTo(10.0);
        assertThat(Simulator.percentile(new double[0], 0.5)).isNull();
    }

    @Test
    void binomialDrawsHaveTheBinomialsMeanAndVariance() {
        SplittableRandom random = new SplittableRandom(11);
        for (double[] c : new double[][] {{5, 0.005}, {45, 0.01}, {50, 0.5}, {20, 0.9}, {5_000, 0.03}}) {
            long n = (long) c[0];
            double p = c[1];
            Binomial binomial = new Binomial(p);
            int draws = 200_000;
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < draws; i++) {
                long k = binomial.draw(random, n);
                assertThat(k).isBetween(0L, n);
                sum += k;
                squares += (double) k * k;
            }
            double mean = sum / draws;
            double variance = squares / draws - mean * mean;
            double sd = Math.sqrt(n * p * (1 - p));
            assertThat(mean).as("mean of B(%d, %s)", n, p).isCloseTo(n * p, within(5 * sd / Math.sqrt(draws)));
            assertThat(variance).as("variance of B(%d, %s)", n, p).isCloseTo(n * p * (1 - p), within(0.05 * sd * sd));
        }
        assertThat(new Binomial(0).draw(random, 10)).isZero();
        assertThat(new Binomial(1).draw(random, 10)).isEqualTo(10);
    }
}
