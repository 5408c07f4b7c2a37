package io.nudge.engine.decision;

import java.time.Instant;

/** One thing that became of an engagement, as its integration or the visitor's browser reported it. */
public record OutcomeRecord(String outcome, Instant at) {}
