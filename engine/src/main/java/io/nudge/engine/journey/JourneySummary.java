package io.nudge.engine.journey;

import io.nudge.engine.facts.CartItem;
import io.nudge.engine.facts.Journey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The short journey summary an engagement carries, so the agent need not ask again; the agent desktop's
 * journey view shows the same.
 */
public final class JourneySummary {
  private JourneySummary() {}

  /** A few words on what the customer is about now, from the journey; the first that applies. */
  public static String intent(Journey j) {
    if (j.isOrderedThisSession()) {
      return "ordered this visit";
    }
    if (j.getCheckoutStep() > 0 || j.getCurrentPath().startsWith("/checkout")) {
      return "checking out";
    }
    if (j.getCurrentPath().contains("/cancel") || j.getLastSearch().toLowerCase(java.util.Locale.ROOT).contains("cancel")) {
      return "looking to cancel";
    }
    if (j.getCartQuantity() > 0) {
      return "shopping, with items in the cart";
    }
    if (j.getSearchesThisSession() > 0) {
      return "searching for \"" + j.getLastSearch() + "\"";
    }
    if (!j.getOpenCases().isEmpty()) {
      return "has an open case";
    }
    return "browsing";
  }

  static Map<String, Object> of(Journey j, String reason, String dataUsed) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("reason", reason);
    if (!dataUsed.isEmpty()) {
      summary.put("dataUsed", dataUsed);
    }
    summary.put("intent", intent(j));
    summary.put("currentPage", j.getCurrentPath());
    summary.put("pages", last(j.getRecentPaths(), 5));
    summary.put("cart", cart(j));
    summary.put("searches", last(j.getSearches(), 3));
    summary.put("visit", j.getVisitCount());
    summary.put("returning", j.isReturning());
    if (j.getCheckoutStep() > 0) {
      summary.put("checkoutStep", j.getCheckoutStep());
    }
    if (j.getFormErrorsThisSession() > 0) {
      summary.put("formErrors", j.getFormErrorsThisSession());
    }
    if (j.getInteractionCount() > 0) {
      Map<String, Object> contact = new LinkedHashMap<>();
      contact.put("at", java.time.Instant.ofEpochMilli(j.getLastContactAt()).toString());
      contact.put("channel", j.getLastContactChannel());
      contact.put("queue", j.getLastContactQueue());
      contact.put("caseId", j.getLastContactCaseId());
      contact.put("reason", j.getLastContactReason());
      contact.put("resolved", j.isLastContactResolved());
      summary.put("lastContact", contact);
      summary.put("openCases", List.copyOf(j.getOpenCases()));
      if (j.getLastCsat() > 0) {
        summary.put("lastCsat", j.getLastCsat());
      }
    }
    return summary;
  }

  private static Map<String, Object> cart(Journey j) {
    Map<String, Object> cart = new LinkedHashMap<>();
    cart.put("value", Math.round(j.getCartValue() * 100) / 100.0);
    cart.put("currency", j.getCartCurrency());
    cart.put("quantity", j.getCartQuantity());
    List<String> names = new ArrayList<>();
    for (CartItem item : j.getCartItems()) {
      names.add(item.name() != null ? item.name() : item.productId());
    }
    cart.put("products", last(names, 5));
    return cart;
  }

  private static List<String> last(List<String> list, int n) {
    return List.copyOf(list.subList(Math.max(0, list.size() - n), list.size()));
  }
}
