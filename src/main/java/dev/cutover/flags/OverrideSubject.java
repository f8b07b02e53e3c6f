package dev.cutover.flags;

/** What an override matches: a userId or a sessionId. */
public enum OverrideSubject {
    USER, SESSION
}
