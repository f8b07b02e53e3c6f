package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How the human output writes the server's values: figures, durations, checks and verdicts. Stateless. */
final class Readable {
    private static final MathContext FOUR_DIGITS = new MathContext(4);

    private Readable() {
    }

    /** Four significant digits, as the server writes its figures: 0.02109, 500, 1.5. */
    static String number(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "-";
        }
        if (!value.isNumber()) {
            return value.asText();
        }
        if (value.isIntegralNumber()) {
            return value.asText();
        }
        double d = value.asDouble();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        return new BigDecimal(d).round(FOUR_DIGITS).stripTrailingZeros().toPlainString();
    }

    /** 0s, 45s, 3h, 3h 20m, 2d 4h: the two largest units. */
    static String seconds(long total) {
        if (total < 60) {
            return total + "s";
        }
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        StringBuilder text = new StringBuilder();
        long left = total;
        int shown = 0;
        for (int i = 0; i < sizes.length && shown < 2; i++) {
            long n = left / sizes[i];
            left %= sizes[i];
            if (n > 0) {
                text.append(text.length() == 0 ? "" : " ").append(n).append(units[i]);
            }
            if (n > 0 || text.length() > 0) {
                shown++;
            }
        }
        return text.toString();
    }

    /** A percentage as the plan writes it: 10 %, 12.5 %. */
    static String percent(JsonNode value) {
        return number(value) + " %";
    }

    /**
     * A criterion or rule in the server's words: {@code error_rate (whisper/client, relative to webspeech) below
     * 0.005}, {@code slow_share over 2000 ms (whisper/client) above 0.05}.
     */
    static String check(JsonNode check) {
        StringBuilder text = new StringBuilder(check.path("metric").asText("?"));
        if (check.hasNonNull("latencyMs")) {
            text.append(" over ").append(check.path("latencyMs").asText()).append(" ms");
        }
        text.append(" (").append(check.path("provider").asText("?")).append('/')
                .append(check.path("source").asText("?"));
        if ("RELATIVE_TO_WEBSPEECH".equals(check.path("comparison").asText())) {
            text.append(", relative to webspeech");
        }
        text.append(") ").append(check.path("direction").asText("").toLowerCase(Locale.ROOT))
                .append(' ').append(number(check.path("threshold")));
        return text.toString();
    }

    /** A verdict's measurement: {@code 0.012 [0.008, 0.017], 1200 samples}. */
    static String measured(JsonNode verdict) {
        String value = number(verdict.path("value"));
        String lower = number(verdict.path("lower"));
        String upper = number(verdict.path("upper"));
        String interval = lower.equals(value) && upper.equals(value) ? "" : " [" + lower + ", " + upper + "]";
        return value + interval + ", " + verdict.path("samples").asLong() + " samples";
    }

    static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    /** A text field, or "-" when absent. */
    static String text(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() ? "-" : value.asText();
    }
}
