package io.nudge.engine.facts;

import io.nudge.engine.store.Binary;
import java.io.IOException;

/** Writes and reads every field of a {@link Journey}, for snapshots. Used by the engine only. */
public final class JourneyCodec {
  private JourneyCodec() {}

  public static void write(Journey j, Binary.Writer w) throws IOException {
    w.text(j.anonymousId);
    w.text(j.userId);
    w.small(j.visitCount);
    w.number(j.sessionStartedAt);
    w.number(j.lastEventAt);
    w.number(j.lastSequence);
    w.text(j.currentPath);
    w.text(j.currentUrl);
    w.text(j.currentTitle);
    w.number(j.currentPageSince);
    w.small(j.pageViewsThisSession);
    w.small(j.pageViewsBefore);
    w.texts(j.recentPaths);
    w.small(j.cartItems.size());
    for (CartItem item : j.cartItems) {
      w.text(item.productId());
      w.text(item.name());
      w.text(item.category());
      w.decimal(item.price());
      w.small(item.quantity());
    }
    w.text(j.cartCurrency);
    w.small(j.checkoutStep);
    w.flag(j.checkoutStarted);
    w.flag(j.orderedThisSession);
    w.small(j.orderCount);
    w.number(j.lastOrderAt);
    w.decimal(j.lastOrderValue);
    w.text(j.lastOrderId);
    w.texts(j.searches);
    w.small(j.searchesThisSession);
    w.small(j.formErrorsThisSession);
    w.small(j.interactionCount);
    w.number(j.lastContactAt);
    w.text(j.lastContactChannel);
    w.text(j.lastContactQueue);
    w.text(j.lastContactCaseId);
    w.text(j.lastContactReason);
    w.flag(j.lastContactResolved);
    w.small(j.lastCsat);
    w.number(j.lastCsatAt);
    w.texts(j.openCases);
    w.text(j.referrer);
    w.text(j.campaignSource);
    w.text(j.campaignMedium);
    w.text(j.campaignName);
    w.text(j.device);
    w.text(j.locale);
    w.text(j.timezone);
  }

  public static Journey read(String customerId, Binary.Reader r) throws IOException {
    Journey j = new Journey(customerId);
    j.anonymousId = JourneyRecorder.sameOrOwn(r.text(), customerId);
    j.userId = JourneyRecorder.sameOrOwn(r.text(), customerId);
    j.visitCount = r.small();
    j.sessionStartedAt = r.number();
    j.lastEventAt = r.number();
    j.lastSequence = r.number();
    j.currentPath = SharedTexts.of(r.text());
    j.currentUrl = SharedTexts.of(r.text());
    j.currentTitle = SharedTexts.of(r.text());
    j.currentPageSince = r.number();
    j.pageViewsThisSession = r.small();
    j.pageViewsBefore = r.small();
    for (String path : r.texts()) {
      j.recentPaths.add(SharedTexts.of(path));
    }
    int items = r.small();
    for (int i = 0; i < items; i++) {
      j.cartItems.add(new CartItem(r.text(), r.text(), r.text(), r.decimal(), r.small()));
    }
    j.cartCurrency = SharedTexts.of(r.text());
    j.checkoutStep = r.small();
    j.checkoutStarted = r.flag();
    j.orderedThisSession = r.flag();
    j.orderCount = r.small();
    j.lastOrderAt = r.number();
    j.lastOrderValue = r.decimal();
    j.lastOrderId = r.text();
    j.searches.addAll(r.texts());
    j.searchesThisSession = r.small();
    j.formErrorsThisSession = r.small();
    j.interactionCount = r.small();
    j.lastContactAt = r.number();
    j.lastContactChannel = r.text();
    j.lastContactQueue = r.text();
    j.lastContactCaseId = r.text();
    j.lastContactReason = r.text();
    j.lastContactResolved = r.flag();
    j.lastCsat = r.small();
    j.lastCsatAt = r.number();
    j.openCases.addAll(r.texts());
    j.referrer = SharedTexts.of(r.text());
    j.campaignSource = SharedTexts.of(r.text());
    j.campaignMedium = SharedTexts.of(r.text());
    j.campaignName = SharedTexts.of(r.text());
    j.device = SharedTexts.of(r.text());
    j.locale = SharedTexts.of(r.text());
    j.timezone = SharedTexts.of(r.text());
    return j;
  }
}
