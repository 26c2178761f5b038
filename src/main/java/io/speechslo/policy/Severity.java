package io.speechslo.policy;

/** What a burn-rate alert does: wake someone, or file a ticket. */
public enum Severity {
    PAGE,
    TICKET
}
