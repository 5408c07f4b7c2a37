package io.nudge.server.delivery;

import java.time.Instant;

/**
 * The whole retry state of one webhook, and nothing that lives only in this process (timers, sockets),
 * so that a durable outbox can store it as a row and resume after a restart.
 *
 * @param id the {@code webhook-id}: the engagement id, the same on every attempt so receivers can dedupe
 * @param body the exact JSON body, built once; only the timestamp and signature headers change per attempt
 * @param acceptedAt when delivery accepted the engagement
 * @param failures how many attempts have failed
 * @param lastFailure why the last attempt failed, or null
 */
record PendingWebhook(String id, String body, Instant acceptedAt, int failures, String lastFailure) {

  static PendingWebhook accepted(String id, String body, Instant now) {
    return new PendingWebhook(id, body, now, 0, null);
  }

  PendingWebhook failed(String why) {
    return new PendingWebhook(id, body, acceptedAt, failures + 1, why);
  }
}
