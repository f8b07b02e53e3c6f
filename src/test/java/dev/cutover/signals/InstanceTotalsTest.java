package dev.cutover.signals;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InstanceTotalsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static TranscriptionOutcome outcome(OutcomeKind kind, long latencyMicros, double audio, long inferenceMicros) {
        return new TranscriptionOutcome(CLOCK.instant(), "/transcribe", kind, Optional.empty(),
                Duration.ofNanos(latencyMicros * 1000), false, audio, Duration.ofNanos(inferenceMicros * 1000), false, "chrome", "en");
    }

    @Test
    void percentilesAgreeWithTheExactOrderStatisticWithinAThousandth() {
        Random random = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            InstanceTotals recorder = new InstanceTotals(CLOCK);
            long[] micros = new long[1 + random.nextInt(5000)];
            for (int i = 0; i < micros.length; i++) {
                micros[i] = 100 + (long) Math.abs(random.nextGaussian() * 200_000);
                recorder.record(outcome(OutcomeKind.OK, micros[i], 0, 0));
            }
            Arrays.sort(micros);
            InstanceTotals.Summary summary = recorder.summary();
            assertThat(summary.latencyP50Ms()).isCloseTo(exact(micros, 50) / 1000.0, withinThousandthOf(exact(micros, 50) / 1000.0));
            assertThat(summary.latencyP95Ms()).isCloseTo(exact(micros, 95) / 1000.0, withinThousandthOf(exact(micros, 95) / 1000.0));
            assertThat(summary.latencyP99Ms()).isCloseTo(exact(micros, 99) / 1000.0, withinThousandthOf(exact(micros, 99) / 1000.0));
        }
    }

    @Test
    void clientErrorsAreNotFailuresAndTheRealTimeFactorIsAveraged() {
        InstanceTotals recorder = new InstanceTotals(CLOCK);
        recorder.record(outcome(OutcomeKind.OK, 1000, 10, 1_000_000));
        recorder.record(outcome(OutcomeKind.OK, 1000, 10, 3_000_000));
        recorder.record(outcome(OutcomeKind.CLIENT_ERROR, 1000, 0, 0));
        recorder.record(outcome(OutcomeKind.BUSY, 1000, 0, 0));

        InstanceTotals.Summary summary = recorder.summary();
        assertThat(summary.total()).isEqualTo(4);
        assertThat(summary.successful()).isEqualTo(2);
        assertThat(summary.failed()).as("only BUSY is the service's failure").isEqualTo(1);
        assertThat(summary.clientErrors()).isEqualTo(1);
        assertThat(summary.rtfAverage()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void anEmptyRecorderReportsZeros() {
        InstanceTotals.Summary summary = new InstanceTotals(CLOCK).summary();

        assertThat(summary.total()).isZero();
        assertThat(summary.latencyP99Ms()).isZero();
        assertThat(summary.rtfP95()).isZero();
    }

    private static long exact(long[] sorted, double percentile) {
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static org.assertj.core.data.Offset<Double> withinThousandthOf(double value) {
        return org.assertj.core.data.Offset.offset(Math.max(0.001, value / 1000 * 1.01));
    }
}
