package dev.cutover.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeyAuthTest {
    private final ApiKeyAuth auth = new ApiKeyAuth(Optional.of("s3cret"));

    @Test
    void theKeyIsAcceptedFromEitherHeader() {
        assertThatCode(() -> auth.check("s3cret", null)).doesNotThrowAnyException();
        assertThatCode(() -> auth.check(null, "Bearer s3cret")).doesNotThrowAnyException();
        assertThatCode(() -> auth.check(null, "bearer s3cret")).doesNotThrowAnyException();
    }

    @Test
    void aMissingKeyAndAWrongKeyAreDifferent401s() {
        assertThatThrownBy(() -> auth.check(null, null)).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.code()).isEqualTo("missing_api_key"));
        assertThatThrownBy(() -> auth.check(null, "Basic czNjcmV0")).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.code()).isEqualTo("missing_api_key"));
        assertThatThrownBy(() -> auth.check("s3cre", null)).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> auth.check(null, "Bearer s3cret2")).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.code()).isEqualTo("invalid_api_key"));
    }

    @Test
    void withNoKeyConfiguredEveryRequestPasses() {
        ApiKeyAuth open = new ApiKeyAuth(Optional.empty());

        assertThat(open.isRequired()).isFalse();
        assertThatCode(() -> open.check(null, null)).doesNotThrowAnyException();
    }
}
