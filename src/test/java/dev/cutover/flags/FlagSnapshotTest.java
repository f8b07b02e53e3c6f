package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlagSnapshotTest {
    private static final List<FlagOverride> OVERRIDES = List.of(
            override(1, OverrideList.ALLOW, OverrideSubject.USER, "dev-1"),
            override(2, OverrideList.ALLOW, OverrideSubject.SESSION, "qa-session"),
            override(3, OverrideList.DENY, OverrideSubject.USER, "vip-1"));

    @Test
    void theDenylistBeatsTheAllowlistAndTheAllowlistBeatsTheSplit() {
        FlagSnapshot atZero = snapshot("0", FlagStatus.ACTIVE);
        FlagSnapshot atHundred = snapshot("100", FlagStatus.ACTIVE);

        assertThat(atZero.evaluate("any", Optional.of("dev-1")).reason()).isEqualTo(AssignmentReason.ALLOWLIST);
        assertThat(atZero.evaluate("qa-session", Optional.empty()).provider()).isEqualTo(Provider.WHISPER);
        assertThat(atZero.evaluate("qa-session", Optional.of("vip-1")).reason()).isEqualTo(AssignmentReason.DENYLIST);
        assertThat(atHundred.evaluate("s", Optional.of("vip-1")).provider()).isEqualTo(Provider.WEBSPEECH);
        assertThat(atHundred.evaluate("s", Optional.of("someone")).reason()).isEqualTo(AssignmentReason.SPLIT);
    }

    @Test
    void aRolledBackFlagGivesEveryoneWebspeechTheAllowlistIncluded() {
        Assignment allowed = snapshot("100", FlagStatus.ROLLED_BACK).evaluate("qa-session", Optional.of("dev-1"));

        assertThat(allowed.provider()).isEqualTo(Provider.WEBSPEECH);
        assertThat(allowed.reason()).isEqualTo(AssignmentReason.ROLLED_BACK);
    }

    @Test
    void aPausedFlagKeepsAssigningAsBefore() {
        assertThat(snapshot("100", FlagStatus.PAUSED).evaluate("s", Optional.empty()).provider())
                .isEqualTo(Provider.WHISPER);
    }

    private static FlagSnapshot snapshot(String percentage, FlagStatus status) {
        return FlagSnapshot.of(FlagSnapshot.FLAG_KEY, new BigDecimal(percentage).setScale(2), status, 4, Instant.EPOCH,
                OVERRIDES, Instant.EPOCH);
    }

    private static FlagOverride override(long id, OverrideList list, OverrideSubject subject, String subjectId) {
        return new FlagOverride(id, list, subject, subjectId, "", "test", Instant.EPOCH);
    }
}
