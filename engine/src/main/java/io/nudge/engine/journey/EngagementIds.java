package io.nudge.engine.journey;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Engagement ids that sort by creation time: {@code eng_} + 12 hex digits of epoch millis + 16 random
 * hex digits. Time order lets a stream resume from the last id a client saw.
 */
final class EngagementIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private EngagementIds() {}

  static String next(long epochMillis) {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    return "eng_" + String.format("%012x", epochMillis) + HexFormat.of().formatHex(random);
  }
}
