package dev.cutover.flags;

/** Which list an override is on: the allowlist gives whisper, the denylist gives webspeech. */
public enum OverrideList {
    ALLOW, DENY
}
