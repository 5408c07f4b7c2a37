package io.nudge.server.ingest;

import io.nudge.engine.Checks;
import java.util.Map;

/**
 * How much one ingestion request may carry. Every limit is named after the environment variable
 * that sets it, and error messages name that variable.
 *
 * @param maxEventBytes bytes of one event as sent (one batch item, or the whole body of a single call)
 * @param maxRequestBytes bytes of the request body, after gzip decompression
 * @param maxBatchEvents events in one {@code /v1/batch} request
 * @param maxNestingDepth objects and arrays nested inside each other in the whole body, the body's own
 *     object included
 * @param maxStringLength characters of any one string value or key
 * @param maxProperties keys directly in one event's {@code properties} or {@code traits}
 */
public record IngestLimits(
    int maxEventBytes,
    int maxRequestBytes,
    int maxBatchEvents,
    int maxNestingDepth,
    int maxStringLength,
    int maxProperties) {

  public static final String MAX_EVENT_BYTES = "NUDGE_MAX_EVENT_BYTES";
  public static final String MAX_REQUEST_BYTES = "NUDGE_MAX_REQUEST_BYTES";
  public static final String MAX_BATCH_EVENTS = "NUDGE_MAX_BATCH_EVENTS";
  public static final String MAX_NESTING_DEPTH = "NUDGE_MAX_NESTING_DEPTH";
  public static final String MAX_STRING_LENGTH = "NUDGE_MAX_STRING_LENGTH";
  public static final String MAX_PROPERTIES = "NUDGE_MAX_PROPERTIES";

  /** Segment's own limits where it has them (32 KB per event, 500 KB per batch request). */
  private static final IngestLimits DEFAULTS = new IngestLimits(32_768, 512_000, 2_500, 20, 8_192, 200);

  public IngestLimits {
    checkPositive(MAX_EVENT_BYTES, maxEventBytes);
    checkPositive(MAX_REQUEST_BYTES, maxRequestBytes);
    checkPositive(MAX_BATCH_EVENTS, maxBatchEvents);
    // a batch item sits three levels deep ({"batch":[{...}]}), so less than that rejects every batch
    Checks.checkArgument(maxNestingDepth >= 3, "%s is %d, must be at least 3", MAX_NESTING_DEPTH, maxNestingDepth);
    checkPositive(MAX_STRING_LENGTH, maxStringLength);
    checkPositive(MAX_PROPERTIES, maxProperties);
  }

  public static IngestLimits defaults() {
    return DEFAULTS;
  }

  /**
   * The limits set in {@code env} (for example {@code System.getenv()}); unset variables keep their
   * default.
   *
   * @throws io.nudge.engine.InvalidInputException naming the variable when a value is not a whole
   *     number or out of range
   */
  public static IngestLimits fromEnvironment(Map<String, String> env) {
    return new IngestLimits(
        intOf(env, MAX_EVENT_BYTES, DEFAULTS.maxEventBytes),
        intOf(env, MAX_REQUEST_BYTES, DEFAULTS.maxRequestBytes),
        intOf(env, MAX_BATCH_EVENTS, DEFAULTS.maxBatchEvents),
        intOf(env, MAX_NESTING_DEPTH, DEFAULTS.maxNestingDepth),
        intOf(env, MAX_STRING_LENGTH, DEFAULTS.maxStringLength),
        intOf(env, MAX_PROPERTIES, DEFAULTS.maxProperties));
  }

  private static int intOf(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new io.nudge.engine.InvalidInputException(
          name + " is \"" + value.trim() + "\", must be a whole number from 1 to " + Integer.MAX_VALUE);
    }
  }

  private static void checkPositive(String name, int value) {
    Checks.checkArgument(value >= 1, "%s is %d, must be at least 1", name, value);
  }
}
