package dev.cutover.flags;

/** An override that was added or removed, and the flag version the change produced. */
record OverrideChange(OverrideView override, long version) {
}
