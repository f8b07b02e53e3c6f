package dev.cutover.flags;

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
