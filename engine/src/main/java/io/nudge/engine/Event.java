package io.nudge.engine;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One behaviour event as the engine receives it: a Segment-spec call already validated and flattened
 * by an ingestion adapter. Maps hold plain Java values only (String, Number, Boolean, List, Map).
 *
 * @param messageId unique per source; the engine processes a repeated id from one source once
 * @param source the source that sent it (the write key's name), so ids from two sources never clash
 * @param type which Segment call
 * @param anonymousId the device or browser id, or null
 * @param userId the known customer id, or null; at least one of the two is set
 * @param previousId for {@code alias}: the id being linked to {@code userId}
 * @param name the event name for {@code track}, the page or screen name otherwise, or null
 * @param properties {@code properties} of track, page and screen calls
 * @param traits {@code traits} of identify and group calls
 * @param timestamp when it happened, corrected for the sender's clock skew
 * @param context the parts of Segment's {@code context} the engine uses
 */
public record Event(
    String messageId,
    String source,
    EventType type,
    String anonymousId,
    String userId,
    String previousId,
    String name,
    Map<String, Object> properties,
    Map<String, Object> traits,
    Instant timestamp,
    EventContext context) {

  public Event {
    Objects.requireNonNull(type, "type");
    properties = properties == null ? Map.of() : properties;
    traits = traits == null ? Map.of() : traits;
    // a contact-centre record may name the customer by email or phone (in traits) only
    Checks.checkArgument(anonymousId != null || userId != null
        || type == EventType.INTERACTION && (traits.containsKey("email") || traits.containsKey("phone")),
        "anonymousId or userId is required");
    context = context == null ? EventContext.EMPTY : context;
    timestamp = timestamp == null ? Instant.EPOCH : timestamp;
  }

  /** The Segment calls. */
  public enum EventType {
    TRACK, PAGE, SCREEN, IDENTIFY, ALIAS, GROUP,
    /** A contact-centre interaction: its fields are in {@code properties} (see {@code Interactions}). */
    INTERACTION,
    /** What became of an engagement: {@code engagementId} and {@code outcome} in {@code properties}. */
    OUTCOME;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The Segment calls, which ingestion accepts; interactions and outcomes have their own routes. */
    public static java.util.List<EventType> segmentCalls() {
      return java.util.List.of(TRACK, PAGE, SCREEN, IDENTIFY, ALIAS, GROUP);
    }
  }

  /**
   * What the engine keeps of Segment's {@code context}.
   *
   * @param page {@code context.page}, or null
   * @param userAgent {@code context.userAgent}, used only to tell the device class
   * @param locale {@code context.locale}
   * @param timezone {@code context.timezone}
   * @param campaign {@code context.campaign}, or null
   * @param consent purposes granted (true) or denied (false) by {@code context.consent}, already
   *     mapped from the site's category names; absent purposes are left as they are
   * @param signals purposes a browser privacy signal (Global Privacy Control, Do Not Track) denied;
   *     recorded with source {@code signal}, after {@code consent}
   */
  public record EventContext(
      Page page,
      String userAgent,
      String locale,
      String timezone,
      Campaign campaign,
      Map<Purpose, Boolean> consent,
      Map<Purpose, Boolean> signals) {

    public static final EventContext EMPTY = new EventContext(null, null, null, null, null, Map.of(), Map.of());

    public EventContext {
      consent = consent == null ? Map.of() : Map.copyOf(consent);
      signals = signals == null ? Map.of() : Map.copyOf(signals);
    }

    /** A context without privacy signals. */
    public EventContext(Page page, String userAgent, String locale, String timezone, Campaign campaign,
        Map<Purpose, Boolean> consent) {
      this(page, userAgent, locale, timezone, campaign, consent, Map.of());
    }
  }

  /** Segment's {@code context.page} (or the properties of a page call). */
  public record Page(String path, String url, String title, String referrer, String search) {}

  /** Segment's {@code context.campaign}: the UTM parameters. */
  public record Campaign(String source, String medium, String name, String term, String content) {}
}
