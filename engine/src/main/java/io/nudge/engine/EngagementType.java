package io.nudge.engine;

/** The three kinds of proactive engagement, each gated by the purpose the customer must consent to. */
public enum EngagementType {
  PROACTIVE_CHAT("proactive_chat", Purpose.PROACTIVE_CHAT),
  CALLBACK("callback", Purpose.CALLBACK),
  TIP("tip", Purpose.PERSONALIZATION);

  private final String id;
  private final Purpose purpose;

  EngagementType(String id, Purpose purpose) {
    this.id = id;
    this.purpose = purpose;
  }

  /** The name used in JSON, for example {@code proactive_chat}. */
  public String id() {
    return id;
  }

  /** The consent this type needs before it is sent. */
  public Purpose purpose() {
    return purpose;
  }
}
