package io.nudge.engine.facts;

import io.nudge.engine.Event;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Folds behaviour events into a {@link Journey}, following the Segment E-commerce spec v2 for carts,
 * checkouts, orders and searches. Used by the engine only; rules read the result.
 */
public final class JourneyRecorder {
  private JourneyRecorder() {}

  /**
   * Starts a new visit when this is the customer's first event or the last one is older than the
   * session timeout: session fields reset, customer fields stay.
   *
   * @return true when a new visit started
   */
  public static boolean startVisitIfDue(Journey j, long now, long sessionTimeoutMillis) {
    if (j.visitCount > 0 && now - j.lastEventAt <= sessionTimeoutMillis) {
      return false;
    }
    j.visitCount++;
    j.sessionStartedAt = now;
    j.pageViewsBefore += j.pageViewsThisSession;
    j.pageViewsThisSession = 0;
    j.recentPaths.clear();
    j.currentPath = "";
    j.currentUrl = "";
    j.currentTitle = "";
    j.checkoutStep = 0;
    j.checkoutStarted = false;
    j.orderedThisSession = false;
    j.searchesThisSession = 0;
    j.formErrorsThisSession = 0;
    j.referrer = "";
    j.campaignSource = "";
    j.campaignMedium = "";
    j.campaignName = "";
    return true;
  }

  /** {@code shared} when it says the same as {@code id}, else {@code id}. */
  static String sameOrOwn(String id, String shared) {
    return id != null && id.equals(shared) ? shared : id;
  }

  /** Applies one event; {@code fact} is the event as it was inserted in the session. */
  public static void record(Journey j, Event e, CustomerEvent fact, long now) {
    j.lastEventAt = now;
    j.lastSequence = fact.getSequence();
    // the customer id is often one of these ids: then one copy serves both, in every journey
    if (e.anonymousId() != null && !e.anonymousId().equals(j.anonymousId)) {
      j.anonymousId = sameOrOwn(e.anonymousId(), j.getCustomerId());
    }
    if (e.userId() != null && !e.userId().equals(j.userId)) {
      j.userId = sameOrOwn(e.userId(), j.getCustomerId());
    }
    recordContext(j, e.context(), now);
    switch (e.type()) {
      case PAGE, SCREEN -> recordPageView(j, e, now);
      case TRACK -> recordTrack(j, e.name(), e.properties(), now);
      default -> { }
    }
  }

  /**
   * Builds the fact of a contact-centre interaction from its event's properties: {@code channel},
   * {@code direction}, {@code startedAt} and {@code endedAt} (epoch milliseconds), {@code queue},
   * {@code agentId}, {@code caseId}, {@code reason}, {@code resolved}, {@code csat}, {@code nps}.
   */
  public static Interaction interaction(String customerId, Event e, long receivedAt) {
    Map<String, Object> p = e.properties();
    long startedAt = p.get("startedAt") instanceof Number n ? n.longValue() : receivedAt;
    long endedAt = p.get("endedAt") instanceof Number n ? n.longValue() : 0;
    return new Interaction(customerId, text(p.get("channel"), ""), text(p.get("direction"), "inbound"), startedAt,
        endedAt, text(p.get("queue"), ""), text(p.get("agentId"), ""), text(p.get("caseId"), ""),
        text(p.get("reason"), ""), Boolean.TRUE.equals(p.get("resolved")),
        p.get("csat") instanceof Number n ? n.intValue() : 0, p.get("nps") instanceof Number n ? n.intValue() : -1);
  }

  /** Folds an interaction into the journey: last contact, satisfaction, open cases. */
  public static void record(Journey j, Interaction i) {
    j.interactionCount++;
    if (i.getStartedAt() >= j.lastContactAt) {
      j.lastContactAt = i.getStartedAt();
      j.lastContactChannel = i.getChannel();
      j.lastContactQueue = i.getQueue();
      j.lastContactCaseId = i.getCaseId();
      j.lastContactReason = i.getReason();
      j.lastContactResolved = i.isResolved();
    }
    if (i.getCsat() > 0 && i.getStartedAt() >= j.lastCsatAt) {
      j.lastCsat = i.getCsat();
      j.lastCsatAt = i.getStartedAt();
    }
    if (!i.getCaseId().isEmpty()) {
      j.openCases.remove(i.getCaseId());
      if (!i.isResolved()) {
        addBounded(j.openCases, i.getCaseId());
      }
    }
  }

  /**
   * Folds the journey of a second device into the customer's: its page views count as earlier views,
   * carts join, orders and contacts add up; the customer's own current visit stays as it is.
   */
  public static void merge(Journey into, Journey from) {
    if (into.anonymousId == null) {
      into.anonymousId = from.anonymousId;
    }
    // the visit goes on: a customer new to the session (folded before the identify that merged it is
    // applied) takes the other device's visit, so the identify does not start a new one
    if (from.lastEventAt > into.lastEventAt) {
      if (into.sessionStartedAt == 0) {
        into.sessionStartedAt = from.sessionStartedAt;
      }
      into.lastEventAt = from.lastEventAt;
    }
    into.visitCount += from.visitCount;
    into.pageViewsBefore += from.pageViewsBefore + from.pageViewsThisSession;
    for (CartItem item : from.cartItems) {
      Map<String, Object> p = new java.util.HashMap<>();
      p.put("product_id", item.productId());
      p.put("name", item.name());
      p.put("category", item.category());
      p.put("price", item.price());
      p.put("quantity", item.quantity());
      addToCart(into, p);
    }
    if (into.cartCurrency.isEmpty()) {
      into.cartCurrency = from.cartCurrency;
    }
    into.orderCount += from.orderCount;
    if (from.lastOrderAt > into.lastOrderAt) {
      into.lastOrderAt = from.lastOrderAt;
      into.lastOrderValue = from.lastOrderValue;
      into.lastOrderId = from.lastOrderId;
    }
    List<String> searches = new java.util.ArrayList<>(from.searches);
    searches.addAll(into.searches);
    into.searches.clear();
    for (String q : searches) {
      addBounded(into.searches, q);
    }
    into.interactionCount += from.interactionCount;
    if (from.lastContactAt > into.lastContactAt) {
      into.lastContactAt = from.lastContactAt;
      into.lastContactChannel = from.lastContactChannel;
      into.lastContactQueue = from.lastContactQueue;
      into.lastContactCaseId = from.lastContactCaseId;
      into.lastContactReason = from.lastContactReason;
      into.lastContactResolved = from.lastContactResolved;
    }
    if (from.lastCsatAt > into.lastCsatAt) {
      into.lastCsat = from.lastCsat;
      into.lastCsatAt = from.lastCsatAt;
    }
    for (String caseId : from.openCases) {
      if (!into.openCases.contains(caseId)) {
        addBounded(into.openCases, caseId);
      }
    }
    if (into.device.isEmpty()) {
      into.device = from.device;
    }
    if (into.locale.isEmpty()) {
      into.locale = from.locale;
    }
    if (into.timezone.isEmpty()) {
      into.timezone = from.timezone;
    }
  }

  /** The page path an event happened on: a page call's own path, else {@code context.page.path}. */
  public static String pathOf(Event e, Journey j) {
    Object own = e.properties().get("path");
    if ((e.type() == Event.EventType.PAGE || e.type() == Event.EventType.SCREEN) && own instanceof String s) {
      return s;
    }
    if (e.context().page() != null && e.context().page().path() != null) {
      return e.context().page().path();
    }
    if (e.type() == Event.EventType.SCREEN && e.name() != null) {
      return e.name();
    }
    return j.currentPath;
  }

  private static void recordContext(Journey j, Event.EventContext c, long now) {
    if (c.userAgent() != null) {
      j.device = SharedTexts.of(deviceOf(c.userAgent()));
    }
    if (c.locale() != null) {
      j.locale = SharedTexts.of(c.locale());
    }
    if (c.timezone() != null) {
      j.timezone = SharedTexts.of(c.timezone());
    }
    Event.Campaign campaign = c.campaign();
    if (campaign != null) {
      j.campaignSource = SharedTexts.of(orEmpty(campaign.source()));
      j.campaignMedium = SharedTexts.of(orEmpty(campaign.medium()));
      j.campaignName = SharedTexts.of(orEmpty(campaign.name()));
    }
    Event.Page page = c.page();
    if (page != null && page.path() != null && !page.path().equals(j.currentPath)) {
      j.currentPath = SharedTexts.of(page.path());
      j.currentUrl = SharedTexts.of(orEmpty(page.url()));
      j.currentTitle = SharedTexts.of(orEmpty(page.title()));
      j.currentPageSince = now;
    }
  }

  private static void recordPageView(Journey j, Event e, long now) {
    Map<String, Object> p = e.properties();
    Event.Page page = e.context().page();
    String path = SharedTexts.of(pathOf(e, j));
    String url = SharedTexts.of(text(p.get("url"), page == null ? null : page.url()));
    String title = SharedTexts.of(text(p.get("title"), page == null ? null : page.title()));
    String referrer = SharedTexts.of(text(p.get("referrer"), page == null ? null : page.referrer()));
    if (j.pageViewsThisSession == 0 && referrer != null) {
      j.referrer = referrer;
    }
    j.pageViewsThisSession++;
    if (!path.equals(j.currentPath) || j.currentPageSince == 0) {
      j.currentPageSince = now;
    }
    j.currentPath = path;
    j.currentUrl = orEmpty(url);
    j.currentTitle = SharedTexts.of(orEmpty(title != null ? title : e.name()));
    addBounded(j.recentPaths, path);
  }

  private static void recordTrack(Journey j, String name, Map<String, Object> p, long now) {
    Object currency = p.get("currency");
    if (currency instanceof String s && !s.isBlank()) {
      j.cartCurrency = s.toUpperCase(Locale.ROOT);
    }
    switch (name) {
      case "Product Added" -> addToCart(j, p);
      case "Product Removed" -> removeFromCart(j, p);
      case "Cart Viewed" -> replaceCart(j, p.get("products"));
      case "Checkout Started" -> {
        replaceCart(j, p.get("products"));
        j.checkoutStarted = true;
        j.checkoutStep = Math.max(j.checkoutStep, 1);
      }
      case "Checkout Step Viewed", "Checkout Step Completed" -> {
        j.checkoutStarted = true;
        int step = (int) number(p.get("step"));
        if (step > 0) {
          j.checkoutStep = step;
        }
      }
      case "Order Completed" -> completeOrder(j, p, now);
      case "Products Searched" -> {
        Object query = p.get("query");
        if (query != null) {
          addBounded(j.searches, query.toString());
        }
        j.searchesThisSession++;
      }
      case "Form Error" -> j.formErrorsThisSession++;
      default -> { }
    }
  }

  private static void addToCart(Journey j, Map<String, Object> p) {
    CartItem added = item(p);
    if (added == null) {
      return;
    }
    for (int i = 0; i < j.cartItems.size(); i++) {
      CartItem have = j.cartItems.get(i);
      if (have.productId().equals(added.productId())) {
        j.cartItems.set(i, new CartItem(have.productId(), firstNonNull(added.name(), have.name()),
            firstNonNull(added.category(), have.category()),
            added.price() > 0 ? added.price() : have.price(), have.quantity() + added.quantity()));
        return;
      }
    }
    j.cartItems.add(added);
  }

  private static void removeFromCart(Journey j, Map<String, Object> p) {
    String id = productId(p);
    if (id == null) {
      return;
    }
    Object q = p.get("quantity");
    for (int i = 0; i < j.cartItems.size(); i++) {
      CartItem have = j.cartItems.get(i);
      if (have.productId().equals(id)) {
        int left = q == null ? 0 : have.quantity() - Math.max(1, (int) number(q));
        if (left <= 0) {
          j.cartItems.remove(i);
        } else {
          j.cartItems.set(i, new CartItem(id, have.name(), have.category(), have.price(), left));
        }
        return;
      }
    }
  }

  private static void replaceCart(Journey j, Object products) {
    if (!(products instanceof List<?> list)) {
      return;
    }
    j.cartItems.clear();
    for (Object o : list) {
      if (o instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        CartItem item = item((Map<String, Object>) m);
        if (item != null) {
          j.cartItems.add(item);
        }
      }
    }
  }

  private static void completeOrder(Journey j, Map<String, Object> p, long now) {
    double value = number(firstNonNull(p.get("total"), firstNonNull(p.get("revenue"), p.get("value"))));
    j.lastOrderValue = value > 0 ? value : j.getCartValue();
    j.lastOrderId = orEmpty(text(p.get("order_id"), null));
    j.lastOrderAt = now;
    j.orderCount++;
    j.orderedThisSession = true;
    j.cartItems.clear();
    j.checkoutStep = 0;
    j.checkoutStarted = false;
  }

  private static CartItem item(Map<String, Object> p) {
    String id = productId(p);
    if (id == null) {
      return null;
    }
    Object q = p.get("quantity");
    int quantity = q == null ? 1 : Math.max(1, (int) number(q));
    return new CartItem(id, text(p.get("name"), null), text(p.get("category"), null),
        Math.max(0, number(p.get("price"))), quantity);
  }

  private static String productId(Map<String, Object> p) {
    return text(p.get("product_id"), text(p.get("sku"), null));
  }

  static String deviceOf(String userAgent) {
    if (userAgent.contains("iPad") || userAgent.contains("Tablet")
        || userAgent.contains("Android") && !userAgent.contains("Mobi")) {
      return "tablet"; // Android tablets send no "Mobile" token
    }
    if (userAgent.contains("Mobi") || userAgent.contains("Android") || userAgent.contains("iPhone")) {
      return "mobile";
    }
    return "desktop";
  }

  static double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  private static String text(Object v, String fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return Long.toString(d.longValue());
    }
    return v.toString();
  }

  private static <T> T firstNonNull(T a, T b) {
    return a != null ? a : b;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static void addBounded(List<String> list, String value) {
    list.add(value);
    if (list.size() > Journey.RECENT_LIMIT) {
      list.remove(0);
    }
  }
}
