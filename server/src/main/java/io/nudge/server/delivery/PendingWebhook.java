package io.nudge.server.delivery;

import io.nudge.engine.Engagement;

/**
 * The retry state of one webhook in this process. What must survive a restart, the engagement, is in
 * the engine's outbox; after a restart its attempts start again from the first.
 *
 * @param engagement what is delivered; its id is the {@code webhook-id}, the same on every attempt so
 *     receivers can dedupe
 * @param body the exact JSON body, built once; only the timestamp and signature headers change per attempt
 * @param failures how many attempts have failed
 * @param lastFailure why the last attempt failed, or null
 */
record PendingWebhook(Engagement engagement, String body, int failures, String lastFailure) {

  static PendingWebhook accepted(Engagement engagement, String body) {
    return new PendingWebhook(engagement, body, 0, null);
  }

  String id() {
    return engagement.id();
  }

  PendingWebhook failed(String why) {
    return new PendingWebhook(engagement, body, failures + 1, why);
  }
}
