package io.nudge.engine;

/** What an unset purpose means. */
public enum ConsentDefault {
  /** Unset means denied: nothing is offered until the customer grants the purpose (GDPR style). */
  OPT_IN,
  /** Unset means granted: offered until the customer denies the purpose. */
  OPT_OUT
}
