package io.nudge.kafka;

import io.nudge.engine.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The key an ingest node gives an event, from the event alone: the anonymousId, else the userId, else
 * the alias's previousId, else a hash of the email or phone of a contact-centre record. One visitor's
 * events share a key, so they stay in order; the engine nodes find the customer behind it.
 */
final class IngestKeys {
  private IngestKeys() {}

  static String of(Event e) {
    if (e.anonymousId() != null) {
      return "a:" + e.anonymousId();
    }
    if (e.userId() != null) {
      return "u:" + e.userId();
    }
    if (e.previousId() != null) {
      return "a:" + e.previousId();
    }
    Object email = e.traits().get("email");
    if (email instanceof String s) {
      return "e:" + sha256(s.trim().toLowerCase(Locale.ROOT)); // no address in plain text in a Kafka key
    }
    Object phone = e.traits().get("phone");
    if (phone instanceof String s) {
      return "p:" + sha256(s.replaceAll("[^0-9+]", ""));
    }
    return "none";
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)),
          0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
