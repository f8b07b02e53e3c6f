package dev.cutover.flags;

import java.util.List;

/** Every override of the flag, oldest first, at one flag version. */
record OverridesView(String flag, long version, List<OverrideView> overrides) {

    OverridesView {
        overrides = List.copyOf(overrides);
    }
}
