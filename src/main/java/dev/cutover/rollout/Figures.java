package dev.cutover.rollout;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers in the sentences people read (reasons, audit rows, alerts): four significant digits, no exponent. */
final class Figures {
    private static final MathContext FOUR_DIGITS = new MathContext(4);

    private Figures() {
    }

    /** 0.021093738828834703 → "0.02109", 16.562424219741715 → "16.56", 500.0 → "500", NaN → "NaN". */
    static String of(double value) {
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        return new BigDecimal(value).round(FOUR_DIGITS).stripTrailingZeros().toPlainString();
    }

    static String of(Double value) {
        return value == null ? "null" : of(value.doubleValue());
    }

    /** "value 0.03, interval 0.02109 to 0.0425, 1000 samples": how every verdict's measurement reads. */
    static String measured(Double value, Double lower, Double upper, long samples) {
        return "value " + of(value) + ", interval " + of(lower) + " to " + of(upper) + ", " + samples + " samples";
    }
}
