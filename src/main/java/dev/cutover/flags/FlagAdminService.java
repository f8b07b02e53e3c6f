package dev.cutover.flags;

import dev.cutover.audit.AuditLog;
import dev.cutover.audit.AuditPage;
import dev.cutover.db.DatabaseFailures;
import dev.cutover.http.ApiError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * Engineers' changes to the flag's overrides, and the rollout's projection onto the flag's percentage and status (the
 * rollout is their one writer; a PATCH of them is refused). Each override write is one transaction that locks the flag
 * row, applies the change, bumps the version, appends exactly one audit row and NOTIFYs every instance; a failure
 * anywhere leaves nothing behind. Thread-safe (stateless).
 */
public final class FlagAdminService {
    static final BigDecimal MAX_PERCENTAGE = new BigDecimal("100");
    static final int MAX_TEXT = 1_000;
    /** The rollout's admin API, the one writer of the flag's percentage and status (flags never import rollout). */
    static final String ROLLOUT_PATH = "/api/v1/rollout";

    private final FlagStore store;
    private final AuditLog audit;

    public FlagAdminService(FlagStore store, AuditLog audit) {
        this.store = store;
        this.audit = audit;
    }

    FlagState flag(String key) {
        return DatabaseFailures.translate(() -> store.jdbi().withHandle(handle -> store.findFlag(handle, key))
                .orElseThrow(() -> unknownFlag(key)));
    }

    /**
     * What a PATCH of the flag answers, decided from the body alone, before anything is read or written: it never
     * changes the flag. Its percentage and status are the rollout's (the flag row is the rollout's projection, see
     * {@link #projectRollout}), so a PATCH naming either is 409 {@code managed_by_rollout} saying which rollout
     * endpoint to use; one naming neither is 400 {@code nothing_to_change}. Overrides have their own routes.
     */
    ApiError patchRefusal(String key, boolean percentage, boolean status) {
        if (!FlagSnapshot.FLAG_KEY.equals(key)) {
            return unknownFlag(key);
        }
        if (!percentage && !status) {
            return ApiError.badRequest("nothing_to_change", "A PATCH of the flag changes nothing: its percentage and "
                    + "status are the rollout's (" + ROLLOUT_PATH + "). " + overridesStayHere(key));
        }
        return managedByRollout(key, percentage, status);
    }

    private static ApiError managedByRollout(String key, boolean percentage, boolean status) {
        List<String> managed = new ArrayList<>();
        List<String> instead = new ArrayList<>();
        StringBuilder howTo = new StringBuilder();
        if (percentage) {
            managed.add("percentage");
            instead.addAll(List.of("PUT " + ROLLOUT_PATH + "/plan", "POST " + ROLLOUT_PATH + "/advance"));
            howTo.append(" To change the percentage, edit the current phase's whisperPercent with PUT ")
                    .append(ROLLOUT_PATH).append("/plan (expectedVersion: the planVersion of GET ").append(ROLLOUT_PATH)
                    .append("/plan), or move to the next phase with POST ").append(ROLLOUT_PATH).append("/advance.");
        }
        if (status) {
            managed.add("status");
            for (String action : List.of("pause", "resume", "rollback")) {
                instead.add("POST " + ROLLOUT_PATH + "/" + action);
            }
            howTo.append(" To change the status, POST ").append(ROLLOUT_PATH).append("/pause, /resume or /rollback")
                    .append(" (expectedVersion: the version of GET ").append(ROLLOUT_PATH).append(").");
        }
        String message = "The flag's " + String.join(" and ", managed) + (managed.size() == 1 ? " is" : " are")
                + " set by the rollout only; nothing was changed." + howTo + " " + overridesStayHere(key);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("use", ROLLOUT_PATH);
        fields.put("managed", managed);
        fields.put("instead", instead);
        return new ApiError(409, "managed_by_rollout", message, Map.of(), fields);
    }

    private static String overridesStayHere(String key) {
        return "Overrides stay here: POST or DELETE " + overridesPath(key) + ".";
    }

    /**
     * The rollout's projection onto the flag, inside the rollout's own transaction ({@code handle}): locks the flag
     * row, sets its percentage and status, bumps its version and NOTIFYs every instance on commit. Writes no audit
     * row: the rollout transition's row is the one record of the change.
     */
    public FlagState projectRollout(Handle handle, BigDecimal percentage, FlagStatus status) {
        String key = FlagSnapshot.FLAG_KEY;
        FlagState before = store.lockFlag(handle, key).orElseThrow(() -> unknownFlag(key));
        FlagState after = store.updateFlag(handle, key, validPercentage(percentage), status, before.version())
                .orElseThrow(() -> new IllegalStateException("the locked flag row changed under its lock"));
        store.notifyChange(handle, after);
        return after;
    }

    OverridesView overrides(String key) {
        return DatabaseFailures.translate(() -> store.jdbi().inTransaction(handle -> {
            FlagState flag = store.findFlag(handle, key).orElseThrow(() -> unknownFlag(key));
            return new OverridesView(key, flag.version(),
                    store.overrides(handle, key).stream().map(OverrideView::of).toList());
        }));
    }

    OverrideChange addOverride(String key, String actor, NewOverride request) {
        OverrideList list = parseEnum(OverrideList.class, "list", request.list());
        OverrideSubject subject = parseEnum(OverrideSubject.class, "subject", request.subject());
        String id = validId(request.id());
        String note = validText("note", request.note());
        Optional<String> reason = request.reason().map(r -> validText("reason", r));
        return write(handle -> {
            store.lockFlag(handle, key).orElseThrow(() -> unknownFlag(key));
            store.findOverride(handle, key, subject, id).ifPresent(existing -> {
                throw ApiError.conflict("override_exists", "The " + name(subject) + " '" + id + "' is already on the "
                        + name(existing.list()) + "list (override " + existing.id() + "); remove it first to change it.");
            });
            OverrideView added = OverrideView.of(store.insertOverride(handle, key, list, subject, id, note, actor));
            FlagState after = store.bumpVersion(handle, key);
            audit.append(handle, actor, "override.add", key, null, added, reason);
            store.notifyChange(handle, after);
            return new OverrideChange(added, after.version());
        });
    }

    OverrideChange removeOverride(String key, String actor, long overrideId, Optional<String> reason) {
        Optional<String> validReason = reason.map(r -> validText("reason", r));
        return write(handle -> {
            store.lockFlag(handle, key).orElseThrow(() -> unknownFlag(key));
            OverrideView removed = store.deleteOverride(handle, key, overrideId).map(OverrideView::of)
                    .orElseThrow(() -> ApiError.notFound("override_not_found",
                            "There is no override " + overrideId + " on " + key + "; list them with GET "
                                    + overridesPath(key) + "."));
            FlagState after = store.bumpVersion(handle, key);
            audit.append(handle, actor, "override.remove", key, removed, null, validReason);
            store.notifyChange(handle, after);
            return new OverrideChange(removed, after.version());
        });
    }

    /** A page of the audit trail, optionally only actions starting with {@code actionPrefix} and by {@code actor}. */
    AuditPage audit(int limit, Optional<Long> before, Optional<String> actionPrefix, Optional<String> actor) {
        Optional<String> action = actionPrefix.map(a -> validText("action", a));
        Optional<String> by = actor.map(a -> validText("actor", a));
        return DatabaseFailures.translate(() -> audit.page(limit, before, action, by));
    }

    private <T> T write(Transaction<T> work) {
        Supplier<T> inTransaction = () -> store.jdbi().inTransaction(work::run);
        return DatabaseFailures.translate(inTransaction);
    }

    @FunctionalInterface
    private interface Transaction<T> {
        T run(Handle handle);
    }

    static BigDecimal validPercentage(BigDecimal percentage) {
        // Only compareTo, signum, scale and stripTrailingZeros (cheap for any exponent) before the range is known:
        // toPlainString or setScale of 1e999999999 would write out a billion digits.
        if (percentage.signum() < 0 || percentage.compareTo(MAX_PERCENTAGE) > 0) {
            throw ApiError.badRequest("invalid_percentage",
                    "percentage must be between 0 and 100, got " + shortForm(percentage) + ".");
        }
        // Zero strips to scale 0; any other value from 0 to 100 strips to a scale of -2 or more.
        BigDecimal stripped = percentage.stripTrailingZeros();
        if (stripped.scale() > 2) {
            throw ApiError.badRequest("invalid_percentage",
                    "percentage has at most two decimals (e.g. 12.5 or 12.25), got " + shortForm(percentage) + ".");
        }
        return stripped.setScale(2);
    }

    /** A number as a client can recognise it, at most about 40 characters whatever its exponent or length. */
    public static String shortForm(BigDecimal number) {
        // The scale is an int, possibly Integer.MIN_VALUE: widen before negating.
        String text = Math.abs((long) number.scale()) <= 40 ? number.toPlainString() : number.toString();
        return abbreviate(text);
    }

    /**
     * The constant whose name the value spells, in any ASCII case ("paused", "PAUSED", "Paused"). Nothing else: no
     * trimming, and no Unicode case folding, under which "actıve" (dotless i) and "pauſed" (long s) would match.
     */
    private static <E extends Enum<E>> E parseEnum(Class<E> type, String field, String value) {
        String allowed = Arrays.stream(type.getEnumConstants()).map(FlagAdminService::name)
                .collect(Collectors.joining(", "));
        if (value == null) {
            throw ApiError.badRequest("missing_" + field, field + " is required: one of " + allowed + ".");
        }
        for (E constant : type.getEnumConstants()) {
            if (spellsInAsciiCase(constant.name(), value)) {
                return constant;
            }
        }
        throw ApiError.badRequest("invalid_" + field, field + " must be one of " + allowed + ", got '"
                + abbreviate(value) + "'.");
    }

    /** Whether value is the (ASCII, upper-case) name with any of its letters written in ASCII lower case. */
    private static boolean spellsInAsciiCase(String name, String value) {
        if (name.length() != value.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = value.charAt(i);
            char upper = c >= 'a' && c <= 'z' ? (char) (c - ('a' - 'A')) : c;
            if (upper != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String validId(String id) {
        if (id == null || id.isEmpty()) {
            throw ApiError.badRequest("missing_id", "id is required: the userId or sessionId to override.");
        }
        // Characters are code points, as PostgreSQL's char_length counts them: an emoji is one, not two UTF-16 units.
        int characters = id.codePointCount(0, id.length());
        if (characters > AssignmentQuery.MAX_ID_LENGTH) {
            throw ApiError.badRequest("id_too_long", "id is " + characters + " characters long; the limit is "
                    + AssignmentQuery.MAX_ID_LENGTH + ".");
        }
        if (id.indexOf('\0') >= 0) {
            throw ApiError.badRequest("invalid_id", "id must not contain NUL characters.");
        }
        return id;
    }

    private static String validText(String field, String text) {
        if (text == null) {
            return "";
        }
        if (text.length() > MAX_TEXT && text.codePointCount(0, text.length()) > MAX_TEXT) {
            throw ApiError.badRequest(field + "_too_long", field + " is limited to " + MAX_TEXT + " characters.");
        }
        if (text.indexOf('\0') >= 0) {
            throw ApiError.badRequest("invalid_" + field, field + " must not contain NUL characters.");
        }
        return text;
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The first 40 characters of value; never cuts a surrogate pair in half. */
    static String abbreviate(String value) {
        if (value.length() <= 40 || value.codePointCount(0, value.length()) <= 40) {
            return value;
        }
        return value.substring(0, value.offsetByCodePoints(0, 40)) + "…";
    }

    private static String overridesPath(String key) {
        return FlagAdminRoutes.FLAG_PATH.replace("{key}", key) + "/overrides";
    }

    static ApiError unknownFlag(String key) {
        return ApiError.notFound("flag_not_found", "There is no flag '" + abbreviate(key) + "'; the only flag is "
                + FlagSnapshot.FLAG_KEY + ".");
    }
}
