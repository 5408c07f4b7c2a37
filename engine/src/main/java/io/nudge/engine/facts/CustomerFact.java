package io.nudge.engine.facts;

/** Every fact the engine inserts belongs to exactly one customer; rules join facts on this id. */
public interface CustomerFact {
  String getCustomerId();
}
