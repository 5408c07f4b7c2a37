package io.nudge.bench;

import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded synthetic population of shoppers: the same seed gives the same events in the same order,
 * so two runs are comparable. Each event belongs to a customer picked at random; what they do next
 * depends on where they are: browsing categories and products, searching (now and then for how to
 * cancel), filling the cart, going through checkout (some stop there, some order), hitting form errors,
 * signing in (identify) and reading delivery, returns and gift-card pages. Most customers consent to
 * everything, a share to nothing, a few deny analytics (served from memory only).
 *
 * <p>One instance per thread: it keeps each customer's place in small arrays and is not thread-safe.
 */
public final class Population {
  private static final String[] CATEGORIES = {"shoes", "coats", "bags", "watches", "tv", "sofas", "lamps", "toys"};
  private static final String[] HELP = {"/delivery/times", "/returns/how", "/gift-cards", "/help/faq", "/contact"};
  private static final String[] SEARCHES = {"red shoes", "winter coat", "oak table", "gift for dad", "led lamp",
      "return policy", "how to cancel my plan", "delivery cost"};
  private static final String[] FORMS = {"checkout-address", "register", "newsletter"};

  private final int customers;
  private final SplittableRandom random;
  private final byte[] stage;
  private final int[] cartCents;
  private final String source;
  private final int stride;
  private final int offset;

  /**
   * @param customers how many distinct customers ({@code c-0} to {@code c-<customers-1>})
   * @param seed the same seed gives the same events
   * @param source a name for this stream of events, part of each message id (two generators with one
   *     seed must not send the same message ids)
   */
  public Population(int customers, long seed, String source) {
    this(customers, seed, source, 1, 0);
  }

  /**
   * A share of a population, for one of {@code stride} senders: its customers are the global
   * customers {@code c * stride + offset}, so no two senders interleave one customer's events.
   */
  public Population(int customers, long seed, String source, int stride, int offset) {
    if (customers < 1) {
      throw new IllegalArgumentException("customers is " + customers + ", must be at least 1");
    }
    this.stride = stride;
    this.offset = offset;
    this.customers = customers;
    this.random = new SplittableRandom(seed);
    this.stage = new byte[customers];
    this.cartCents = new int[customers];
    this.source = source;
  }

  public int customers() {
    return customers;
  }

  /** One synthetic event: which customer (global number), and the Segment call as the engine sees it. */
  public record Synthetic(int customer, Event event) {}

  private long sequence;

  /** The first event of customer {@code c} of this share (0 to {@code customers()-1}): their landing. */
  public Synthetic first(int c, Instant at) {
    stage[c] = 1;
    String anon = anonymousId(c * stride + offset);
    return new Synthetic(c * stride + offset, page(source + "-" + (sequence++), anon, "/", at, consentOf(c)));
  }

  /** The next event of a random customer, stamped {@code at}. */
  public Synthetic next(Instant at) {
    int c = random.nextInt(customers);
    String anon = anonymousId(c * stride + offset);
    String messageId = source + "-" + (sequence++);
    int roll = random.nextInt(1000);
    Event event;
    if (stage[c] == 0) { // first event: lands on the home page with their consent choices
      stage[c] = 1;
      event = page(messageId, anon, "/", at, consentOf(c));
    } else if (stage[c] == 2 && roll < 400) { // in checkout
      event = checkout(c, messageId, anon, at, roll);
    } else if (roll < 450) {
      String category = CATEGORIES[random.nextInt(CATEGORIES.length)];
      event = page(messageId, anon, "/c/" + category, at, null);
    } else if (roll < 700) {
      event = page(messageId, anon, "/p/" + CATEGORIES[random.nextInt(CATEGORIES.length)] + "/"
          + random.nextInt(500), at, null);
    } else if (roll < 780) {
      int price = 500 + random.nextInt(30_000);
      cartCents[c] += price;
      event = track(messageId, anon, "Product Added", Map.of("product_id", "p-" + random.nextInt(5000),
          "price", price / 100.0, "quantity", 1, "currency", "EUR"), at);
    } else if (roll < 830) {
      event = track(messageId, anon, "Products Searched",
          Map.of("query", SEARCHES[random.nextInt(SEARCHES.length)]), at);
    } else if (roll < 880) {
      event = page(messageId, anon, HELP[random.nextInt(HELP.length)], at, null);
    } else if (roll < 930 && cartCents[c] > 0) {
      stage[c] = 2;
      event = page(messageId, anon, "/checkout", at, null);
    } else if (roll < 960) {
      event = track(messageId, anon, "Form Error", Map.of("form", FORMS[random.nextInt(FORMS.length)],
          "field", "postcode"), at);
    } else if (roll < 975 && stage[c] == 1) {
      String userId = "u-" + (c * stride + offset);
      event = new Event(messageId, source, Event.EventType.IDENTIFY, anon, userId, null, null, Map.of(),
          Map.of("plan", random.nextInt(3) == 0 ? "premium" : "basic"), at, null);
      stage[c] = 3; // signed in: identified once
    } else if (roll < 985) {
      event = page(messageId, anon, "/account/cancel", at, null);
    } else {
      event = page(messageId, anon, "/", at, null);
    }
    return new Synthetic(c * stride + offset, event);
  }

  private Event checkout(int c, String messageId, String anon, Instant at, int roll) {
    if (roll < 150) {
      return track(messageId, anon, "Checkout Step Viewed", Map.of("step", 1 + random.nextInt(3)), at);
    }
    if (roll < 250) {
      double value = cartCents[c] / 100.0;
      stage[c] = 1;
      cartCents[c] = 0;
      return track(messageId, anon, "Order Completed", Map.of("order_id", "o-" + messageId, "total", value,
          "currency", "EUR"), at);
    }
    return track(messageId, anon, "Form Error", Map.of("form", "checkout-address", "field", "postcode"), at);
  }

  /** Seven in ten consent to everything, two in ten to nothing asked, one in ten denies analytics. */
  private Map<Purpose, Boolean> consentOf(int c) {
    int kind = Math.floorMod(c * 31 + 7, 10);
    Map<Purpose, Boolean> consent = new LinkedHashMap<>();
    if (kind < 7) {
      for (Purpose p : Purpose.values()) {
        consent.put(p, true);
      }
    } else if (kind == 9) {
      consent.put(Purpose.ANALYTICS, false);
    }
    return consent;
  }

  private Event page(String messageId, String anon, String path, Instant at, Map<Purpose, Boolean> consent) {
    Event.EventContext context = new Event.EventContext(new Event.Page(path, null, null, null, null), null, null,
        null, null, consent);
    return new Event(messageId, source, Event.EventType.PAGE, anon, null, null, null, Map.of("path", path),
        Map.of(), at, context);
  }

  private Event track(String messageId, String anon, String name, Map<String, Object> properties, Instant at) {
    return new Event(messageId, source, Event.EventType.TRACK, anon, null, null, name, properties, Map.of(), at,
        null);
  }

  /** The device id of customer {@code c}; the stream's engagements name it back. */
  public static String anonymousId(int c) {
    return "c-" + c;
  }

  /** The customer of a device id made by {@link #anonymousId}, or -1. */
  public static int customerOf(String anonymousId) {
    if (anonymousId == null || !anonymousId.startsWith("c-")) {
      return -1;
    }
    try {
      return Integer.parseInt(anonymousId, 2, anonymousId.length(), 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A batch of {@code size} events as the Segment JSON body of {@code POST /v1/batch}. */
  public static String batchJson(List<Synthetic> batch) {
    StringBuilder b = new StringBuilder(256 * batch.size()).append("{\"batch\":[");
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(io.nudge.server.ingest.SegmentWriter.toJson(batch.get(i).event()));
    }
    return b.append("]}").toString();
  }
}
