package io.nudge.engine.journey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Engagement ids: {@code eng_} + 12 hex digits of the visit's start (epoch millis) + 16 hex digits of
 * a hash of customer, rule, key and visit. The same situation always gets the same id, so when the
 * engine replays its log after a crash, an engagement that was already decided is recognised and not
 * sent again; and ids sort by visit time.
 */
final class EngagementIds {
  private EngagementIds() {}

  static String of(String customerId, String rule, String key, long visitStartedAt) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {customerId, rule, key, Long.toString(visitStartedAt)}) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      String hash = HexFormat.of().formatHex(sha.digest(), 0, 8);
      return "eng_" + String.format("%012x", visitStartedAt) + hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
