package io.nudge.engine.facts;

import io.nudge.engine.EngagementType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a rule's consequence may do: ask for an engagement. Every rule file declares it as the global
 * {@code nudge}:
 *
 * <pre>{@code
 * global io.nudge.engine.facts.Actions nudge;
 * ...
 * then
 *   nudge.chat("sales", "Need a hand with your order?");
 * }</pre>
 *
 * The customer is the one the rule matched. A rule asks at most once per customer per visit for each
 * key: {@code nudge.once($form).tip(...)} asks once per form. A repeated ask is dropped, so a rule
 * never sends the same engagement twice for one situation. Nothing is sent from here: the engine
 * passes each ask to the consent gate after the rules have run.
 */
public final class Actions {

  /** Receives the asks; implemented by the engine's session. */
  public interface Sink {
    Fallback ask(EngagementType type, String key, Map<String, String> fields);
  }

  /**
   * What a rule may add to the chat or callback it asked for: a tip to show instead when the queue is
   * closed or has no agent free, so the customer still gets help:
   *
   * <pre>{@code nudge.chat("sales", "Need a hand?").orTip("We are closed", "Our team is back at 9:00");}</pre>
   *
   * Without it, such a chat or callback is suppressed with reason {@code closed} or {@code no-capacity}.
   */
  public interface Fallback {
    void orTip(String title, String body);
  }

  private final Sink sink;
  private final String key;

  public Actions(Sink sink) {
    this(sink, "");
  }

  private Actions(Sink sink, String key) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.key = key;
  }

  /** The same actions, but a rule may ask once per distinct key in a visit instead of once. */
  public Actions once(Object key) {
    return new Actions(sink, key == null ? "" : key.toString());
  }

  /** Invites the customer to a chat with an agent of {@code queue}. */
  public Fallback chat(String queue, String message) {
    return sink.ask(EngagementType.PROACTIVE_CHAT, key, fields("queue", queue, "message", message));
  }

  /** Offers the customer a call back from an agent of {@code queue}. */
  public Fallback callback(String queue, String message) {
    return sink.ask(EngagementType.CALLBACK, key, fields("queue", queue, "message", message));
  }

  /** Shows the customer an on-screen tip. */
  public void tip(String title, String body) {
    sink.ask(EngagementType.TIP, key, fields("title", title, "body", body));
  }

  /** Shows the customer an on-screen tip that links to {@code url}. */
  public void tip(String title, String body, String url) {
    Map<String, String> f = fields("title", title, "body", body);
    f.put("url", Objects.requireNonNull(url, "url"));
    sink.ask(EngagementType.TIP, key, f);
  }

  private static Map<String, String> fields(String k1, String v1, String k2, String v2) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(k1, Objects.requireNonNull(v1, k1));
    f.put(k2, Objects.requireNonNull(v2, k2));
    return f;
  }
}
