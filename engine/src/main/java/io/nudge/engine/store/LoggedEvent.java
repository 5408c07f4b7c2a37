package io.nudge.engine.store;

import io.nudge.engine.Event;

/**
 * An event as the log keeps it.
 *
 * @param sequence its place in the log, from 1, without gaps
 * @param receivedAt when the log took it, epoch milliseconds on the engine clock; never decreases
 *     with the sequence, and is the time the rules see it at, also when it is replayed
 * @param customerId the customer it was routed to
 * @param event the event
 */
public record LoggedEvent(long sequence, long receivedAt, String customerId, Event event) {}
