package dev.cutover.flags.ofrep;

import dev.cutover.flags.FlagSnapshot;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * A short name for one state of the flag (version plus the override entries), the same on every instance: the event
 * stream's event id and its {@code etag}. A client reconnecting with {@code Last-Event-ID} equal to the current tag
 * has missed nothing.
 */
final class OfrepConfigTag {
    static final String NONE = "none";

    private OfrepConfigTag() {
    }

    static String of(Optional<FlagSnapshot> snapshot) {
        return snapshot.map(OfrepConfigTag::of).orElse(NONE);
    }

    /** The flag version inside a tag, quoted or not ({@code "12-ab34cd56ef78"} is 12); -1 when it holds none. */
    static long versionOf(String tag) {
        if (tag == null) {
            return -1;
        }
        String bare = tag.startsWith("\"") && tag.endsWith("\"") && tag.length() >= 2 ? tag.substring(1, tag.length() - 1) : tag;
        int dash = bare.indexOf('-');
        String digits = dash < 0 ? bare : bare.substring(0, dash);
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    static String of(FlagSnapshot snapshot) {
        String overrides = snapshot.overrides().stream()
                .map(o -> o.list() + ":" + o.subject() + ":" + o.subjectId())
                .sorted(Comparator.naturalOrder())
                .collect(Collectors.joining("\n"));
        String state = snapshot.key() + "\n" + snapshot.version() + "\n" + snapshot.status() + "\n"
                + snapshot.percentage().toPlainString() + "\n" + overrides;
        return snapshot.version() + "-" + DigestUtils.sha256Hex(state).substring(0, 12);
    }
}
