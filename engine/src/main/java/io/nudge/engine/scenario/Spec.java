package io.nudge.engine.scenario;

import io.nudge.engine.Purpose;
import java.util.List;
import java.util.Map;

/**
 * One scenario as read from its file, checked.
 *
 * @param name what the scenario is about
 * @param anonymousId the customer's device id, or null
 * @param userId the customer's known id, or null; at least one of the two is set
 * @param timezone the customer's time zone ({@code context.timezone} of every event), or null
 * @param consent the customer's choices; purposes not named are unset, which means denied
 * @param steps the events, outcomes and interactions, in time order
 * @param tailMillis how long the clock runs on after the last step
 * @param expect the engagements that must be sent, and no others
 */
record Spec(String name, String anonymousId, String userId, String timezone, Map<Purpose, Boolean> consent,
    List<Step> steps, long tailMillis, List<Expected> expect) {

  String customerId() {
    return userId != null ? userId : anonymousId;
  }

  /** Something that happens at {@code at} milliseconds after the scenario starts. */
  sealed interface Step {
    long at();
  }

  /** A page view or a track call. */
  record Behaviour(long at, boolean page, String name, Map<String, Object> properties) implements Step {}

  /** A contact-centre interaction received at {@code at}, started {@code agoMillis} before. */
  record Contact(long at, long agoMillis, Map<String, Object> properties) implements Step {}

  /** What the customer did with the latest engagement of {@code rule}. */
  record Reaction(long at, int index, String rule, String outcome) implements Step {}

  /**
   * An engagement the scenario expects to be sent.
   *
   * @param at when it must be created, or null for any time
   * @param fields engagement fields that must have these values ({@code queue}, {@code title}, ...)
   * @param context context entries that must have these values, compared as text
   */
  record Expected(String type, String rule, Long at, Map<String, String> fields, Map<String, String> context) {}
}
