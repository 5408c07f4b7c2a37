package io.nudge.engine.facts;

import java.util.Map;
import org.kie.api.definition.type.Expires;
import org.kie.api.definition.type.Role;
import org.kie.api.definition.type.Timestamp;

/**
 * One raw behaviour event in the rule session, as a Drools event. It expires ten minutes after it
 * arrived, so temporal patterns ({@code after}, {@code over window:time}) may look back that far.
 *
 * <p>{@link #getSequence()} grows with each event of a customer (it is the event's place in the
 * engine's log); the customer's {@link Journey#getLastSequence()} names the newest, which is how a
 * rule finds "the last thing they did".
 */
@Role(Role.Type.EVENT)
@Timestamp("timestamp")
@Expires("10m")
public final class CustomerEvent implements CustomerFact {
  /** How long a raw event stays in a session: the {@code @Expires} above, which must say the same. */
  public static final java.time.Duration LIFETIME = java.time.Duration.ofMinutes(10);

  private final String customerId;
  private final long sequence;
  private final String type;
  private final String name;
  private final String path;
  private final Map<String, Object> properties;
  private final long timestamp;

  public CustomerEvent(
      String customerId,
      long sequence,
      String type,
      String name,
      String path,
      Map<String, Object> properties,
      long timestamp) {
    this.customerId = customerId;
    this.sequence = sequence;
    this.type = type;
    this.name = name;
    this.path = path == null ? "" : path;
    this.properties = properties == null ? Map.of() : properties;
    this.timestamp = timestamp;
  }

  @Override
  public String getCustomerId() {
    return customerId;
  }

  public long getSequence() {
    return sequence;
  }

  /** {@code track}, {@code page}, {@code screen}, {@code identify}, {@code group} or {@code alias}. */
  public String getType() {
    return type;
  }

  /** The event name of a track call ({@code Product Added}), the page name of a page call, or "". */
  public String getName() {
    return name == null ? "" : name;
  }

  /** The path of the page the customer was on when it happened, or "". */
  public String getPath() {
    return path;
  }

  public Map<String, Object> getProperties() {
    return properties;
  }

  /** When the engine received it, in epoch milliseconds on the engine clock; the rules' event time. */
  public long getTimestamp() {
    return timestamp;
  }

  /** A property as text ({@code property("form")}), or null when absent; lists and maps as their text. */
  public String property(String key) {
    Object v = properties.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return Long.toString(d.longValue());
    }
    return v.toString();
  }

  /** A numeric property ({@code number("value")}), or 0 when absent or not a number. */
  public double number(String key) {
    Object v = properties.get(key);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  /** True for a track call with this name, for example {@code isTrack("Order Completed")}. */
  public boolean isTrack(String eventName) {
    return "track".equals(type) && eventName.equals(name);
  }

  /** True for a page or screen view. */
  public boolean isPageView() {
    return "page".equals(type) || "screen".equals(type);
  }

  @Override
  public String toString() {
    return "CustomerEvent[" + customerId + "#" + sequence + " " + type + " " + getName() + " " + path + "]";
  }
}
