package io.nudge.engine.privacy;

import io.nudge.engine.Checks;
import io.nudge.engine.Event;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Which trait and property names hold personal data (email, phone, name, address by default), and
 * what happens to them before an event is written anywhere: replaced by a salted hash (so rules can
 * still compare them) or dropped.
 *
 * @param fields names compared without case, at the top level of {@code traits} and {@code properties}
 * @param mode hash or drop
 */
public record PersonalData(Set<String> fields, Mode mode) {

  /** What happens to a personal field. */
  public enum Mode {
    /** Replaced by {@code pseudonym:<salted hash>}: equal values stay equal, the value is gone. */
    HASH,
    /** Removed. */
    DROP
  }

  public PersonalData {
    Checks.checkNotNull(mode, "mode");
    Set<String> lower = new TreeSet<>();
    for (String f : fields) {
      lower.add(f.trim().toLowerCase(Locale.ROOT));
    }
    fields = Set.copyOf(lower);
  }

  /** Email, phone, name and address fields, hashed. */
  public static PersonalData defaults() {
    return new PersonalData(Set.of("email", "phone", "name", "first_name", "last_name", "firstname", "lastname",
        "address"), Mode.HASH);
  }

  /** The event with its personal fields hashed (with {@code pseudonym}) or dropped. */
  public Event minimise(Event e, UnaryOperator<String> pseudonym) {
    Map<String, Object> traits = clean(e.traits(), pseudonym);
    Map<String, Object> properties = clean(e.properties(), pseudonym);
    if (traits == e.traits() && properties == e.properties()) {
      return e;
    }
    return new Event(e.messageId(), e.source(), e.type(), e.anonymousId(), e.userId(), e.previousId(), e.name(),
        properties, traits, e.timestamp(), e.context());
  }

  private Map<String, Object> clean(Map<String, Object> values, UnaryOperator<String> pseudonym) {
    boolean personal = false;
    for (String key : values.keySet()) {
      personal |= fields.contains(key.toLowerCase(Locale.ROOT));
    }
    if (!personal) {
      return values;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach((key, value) -> {
      if (!fields.contains(key.toLowerCase(Locale.ROOT))) {
        out.put(key, value);
      } else if (mode == Mode.HASH && value != null) {
        out.put(key, pseudonym.apply(value.toString()));
      }
    });
    return java.util.Collections.unmodifiableMap(out);
  }
}
