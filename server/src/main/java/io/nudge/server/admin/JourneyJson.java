package io.nudge.server.admin;

import io.nudge.engine.facts.CartItem;
import io.nudge.engine.facts.Journey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A journey as the admin API shows it: the fields rules see, times as ISO-8601. */
final class JourneyJson {
  private JourneyJson() {}

  static JsonObject toJson(Journey j) {
    JsonArray cart = new JsonArray();
    for (CartItem item : j.getCartItems()) {
      cart.add(new JsonObject().put("productId", item.productId()).put("name", item.name())
          .put("category", item.category()).put("price", item.price()).put("quantity", item.quantity()));
    }
    return new JsonObject()
        .put("visitCount", j.getVisitCount())
        .put("sessionStartedAt", time(j.getSessionStartedAt()))
        .put("lastEventAt", time(j.getLastEventAt()))
        .put("currentPath", j.getCurrentPath())
        .put("pageViewsThisSession", j.getPageViewsThisSession())
        .put("pageViewsBefore", j.getPageViewsBefore())
        .put("recentPaths", new JsonArray(j.getRecentPaths()))
        .put("cart", new JsonObject().put("value", j.getCartValue()).put("currency", j.getCartCurrency())
            .put("items", cart))
        .put("checkoutStep", j.getCheckoutStep())
        .put("orderCount", j.getOrderCount())
        .put("searches", new JsonArray(j.getSearches()))
        .put("searchesThisSession", j.getSearchesThisSession())
        .put("formErrorsThisSession", j.getFormErrorsThisSession())
        .put("device", j.getDevice())
        .put("locale", j.getLocale())
        .put("timezone", j.getTimezone());
  }

  private static String time(long epochMillis) {
    return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}
