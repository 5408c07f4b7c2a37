package io.nudge.engine.facts;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Event;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class JourneyRecorderTest {
  private static final long TIMEOUT = 30 * 60_000L;
  private static final long T0 = 1_795_000_000_000L;

  private final Journey journey = new Journey("ann");
  private long sequence;
  private long now = T0;

  // --- Memory ------------------------------------------------------------------------------------

  @Test
  void journeysOnTheSamePage_shareOneCopyOfItsTexts_notOneEachFromEachEvent() {
    Journey other = new Journey("bob");
    page(new String("/p/lamps/42")); // as parsed from two requests: equal texts, two copies
    String secondCopy = new String("/p/lamps/42");
    Event e = pageEvent(new Event.Page(secondCopy, null, null, null, null));
    JourneyRecorder.record(other, e, new CustomerEvent("bob", 1, e.type().id(), null, secondCopy, e.properties(), now),
        now);

    assertThat(other.getCurrentPath()).isEqualTo("/p/lamps/42").isSameAs(journey.getCurrentPath());
    assertThat(other.getRecentPaths().get(0)).isSameAs(journey.getRecentPaths().get(0));
  }

  @Test
  void aRestoredJourneySharesItsTextsWithTheLiveOnes() throws Exception {
    page(new String("/help/returns"));
    byte[] bytes = io.nudge.engine.store.Binary.write(w -> JourneyCodec.write(journey, w));

    Journey restored = io.nudge.engine.store.Binary.read(bytes, r -> JourneyCodec.read("ann", r));

    assertThat(restored.getCurrentPath()).isSameAs(journey.getCurrentPath());
  }

  @Test
  void aVisitorKnownByTheirAnonymousId_keepsOneCopyOfIt_liveAndRestored() throws Exception {
    Journey visitor = new Journey(new String("anon-1")); // the customer id, as the identity registry made it
    Event e = pageEvent(new Event.Page("/", null, null, null, null)); // its anonymousId: another copy
    JourneyRecorder.record(visitor, e, new CustomerEvent("anon-1", 1, e.type().id(), null, "/", e.properties(), now),
        now);
    byte[] bytes = io.nudge.engine.store.Binary.write(w -> JourneyCodec.write(visitor, w));
    Journey restored = io.nudge.engine.store.Binary.read(bytes, r -> JourneyCodec.read(new String("anon-1"), r));

    assertThat(visitor.getAnonymousId()).isEqualTo("anon-1").isSameAs(visitor.getCustomerId());
    assertThat(restored.getAnonymousId()).isEqualTo("anon-1").isSameAs(restored.getCustomerId());
  }

  // --- Product Added -------------------------------------------------------------------------

  @Test
  void productAdded_withoutQuantity_addsOneUnit() {
    track("Product Added", Map.of("product_id", "lamp", "name", "Desk lamp", "category", "Lighting", "price", 25.5));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("lamp", "Desk lamp", "Lighting", 25.5, 1));
    assertThat(journey.getCartQuantity()).isEqualTo(1);
    assertThat(journey.getCartValue()).isEqualTo(25.5);
  }

  @Test
  void productAdded_sameProductId_mergesIntoOneLineAddingQuantities() {
    track("Product Added", Map.of("product_id", "lamp", "name", "Desk lamp", "price", 20, "quantity", 2));
    track("Product Added", Map.of("product_id", "pen", "price", 3));
    track("Product Added", Map.of("product_id", "lamp", "quantity", 3));

    assertThat(journey.getCartItems()).containsExactly(
        new CartItem("lamp", "Desk lamp", null, 20.0, 5),
        new CartItem("pen", null, null, 3.0, 1));
    assertThat(journey.getCartValue()).isEqualTo(103.0);
    assertThat(journey.getCartQuantity()).isEqualTo(6);
  }

  @Test
  void productAdded_sameProductIdWithNewPrice_takesTheNewPrice() {
    track("Product Added", Map.of("product_id", "lamp", "price", 20));
    track("Product Added", Map.of("product_id", "lamp", "price", 18, "category", "Lighting"));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("lamp", null, "Lighting", 18.0, 2));
  }

  @Test
  void productAdded_withoutProductId_fallsBackToSku() {
    track("Product Added", Map.of("sku", "SKU-9", "price", "12.5", "quantity", "2"));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("SKU-9", null, null, 12.5, 2));
  }

  @Test
  void productAdded_numericProductId_isTextWithoutDecimals() {
    track("Product Added", Map.of("product_id", 507.0, "price", 1));

    assertThat(journey.getCartItems()).extracting(CartItem::productId).containsExactly("507");
  }

  @Test
  void productAdded_withNeitherProductIdNorSku_isIgnored() {
    track("Product Added", Map.of("name", "Mystery", "price", 10));

    assertThat(journey.getCartItems()).isEmpty();
  }

  @Test
  void trackWithCurrency_setsCartCurrencyInUpperCase() {
    track("Product Added", Map.of("product_id", "lamp", "price", 10, "currency", "eur"));

    assertThat(journey.getCartCurrency()).isEqualTo("EUR");
  }

  // --- Product Removed -----------------------------------------------------------------------

  @Test
  void productRemoved_withoutQuantity_removesTheWholeLine() {
    track("Product Added", Map.of("product_id", "lamp", "price", 20, "quantity", 3));
    track("Product Added", Map.of("product_id", "pen", "price", 2));

    track("Product Removed", Map.of("product_id", "lamp"));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("pen", null, null, 2.0, 1));
  }

  @Test
  void productRemoved_withQuantity_removesThatManyUnits() {
    track("Product Added", Map.of("product_id", "lamp", "name", "Desk lamp", "price", 20, "quantity", 3));

    track("Product Removed", Map.of("product_id", "lamp", "quantity", 2));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("lamp", "Desk lamp", null, 20.0, 1));
  }

  @Test
  void productRemoved_quantityAtLeastTheLine_removesTheLine() {
    track("Product Added", Map.of("product_id", "lamp", "price", 20, "quantity", 2));

    track("Product Removed", Map.of("product_id", "lamp", "quantity", 5));

    assertThat(journey.getCartItems()).isEmpty();
  }

  @Test
  void productRemoved_bySku_matchesTheSkuLine() {
    track("Product Added", Map.of("sku", "SKU-9", "price", 20));

    track("Product Removed", Map.of("sku", "SKU-9"));

    assertThat(journey.getCartItems()).isEmpty();
  }

  @Test
  void productRemoved_unknownProduct_leavesCartAlone() {
    track("Product Added", Map.of("product_id", "lamp", "price", 20));

    track("Product Removed", Map.of("product_id", "sofa"));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("lamp", null, null, 20.0, 1));
  }

  // --- Cart Viewed, Checkout Started, Checkout Step Viewed -----------------------------------

  @Test
  void cartViewed_replacesCartWithItsProducts() {
    track("Product Added", Map.of("product_id", "old", "price", 99));

    track("Cart Viewed", Map.of("products", List.of(
        Map.of("product_id", "lamp", "name", "Desk lamp", "price", 20, "quantity", 2),
        Map.of("sku", "SKU-9", "price", 5),
        Map.of("name", "no id, skipped"))));

    assertThat(journey.getCartItems()).containsExactly(
        new CartItem("lamp", "Desk lamp", null, 20.0, 2),
        new CartItem("SKU-9", null, null, 5.0, 1));
    assertThat(journey.isCheckoutStarted()).isFalse();
  }

  @Test
  void cartViewed_withoutProducts_keepsTheCart() {
    track("Product Added", Map.of("product_id", "lamp", "price", 20));

    track("Cart Viewed", Map.of("cart_id", "c1"));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("lamp", null, null, 20.0, 1));
  }

  @Test
  void cartViewed_withEmptyProducts_emptiesTheCart() {
    track("Product Added", Map.of("product_id", "lamp", "price", 20));

    track("Cart Viewed", Map.of("products", List.of()));

    assertThat(journey.getCartItems()).isEmpty();
  }

  @Test
  void checkoutStarted_replacesCartAndStartsCheckoutAtStepOne() {
    track("Product Added", Map.of("product_id", "old", "price", 99));

    track("Checkout Started", Map.of("currency", "usd",
        "products", List.of(Map.of("product_id", "sofa", "price", 450, "quantity", 1))));

    assertThat(journey.getCartItems()).containsExactly(new CartItem("sofa", null, null, 450.0, 1));
    assertThat(journey.isCheckoutStarted()).isTrue();
    assertThat(journey.getCheckoutStep()).isEqualTo(1);
    assertThat(journey.getCartCurrency()).isEqualTo("USD");
  }

  @Test
  void checkoutStarted_afterALaterStep_keepsTheLaterStep() {
    track("Checkout Step Viewed", Map.of("step", 3));

    track("Checkout Started", Map.of());

    assertThat(journey.getCheckoutStep()).isEqualTo(3);
  }

  @Test
  void checkoutStepViewed_setsStepAndMarksCheckoutStarted() {
    track("Checkout Step Viewed", Map.of("step", 2));

    assertThat(journey.getCheckoutStep()).isEqualTo(2);
    assertThat(journey.isCheckoutStarted()).isTrue();

    track("Checkout Step Viewed", Map.of("step", "4"));

    assertThat(journey.getCheckoutStep()).isEqualTo(4);
  }

  @Test
  void checkoutStepViewed_withoutStep_keepsTheStep() {
    track("Checkout Step Viewed", Map.of("step", 2));

    track("Checkout Step Viewed", Map.of());

    assertThat(journey.getCheckoutStep()).isEqualTo(2);
  }

  // --- Order Completed -----------------------------------------------------------------------

  @Test
  void orderCompleted_takesTotalBeforeRevenueAndValue_andClearsTheCheckout() {
    track("Checkout Started", Map.of("products", List.of(Map.of("product_id", "sofa", "price", 450))));
    track("Checkout Step Viewed", Map.of("step", 3));
    now += 5_000;

    track("Order Completed", Map.of("order_id", "o-17", "total", 472.5, "revenue", 450, "value", 400));

    assertThat(journey.getLastOrderValue()).isEqualTo(472.5);
    assertThat(journey.getLastOrderId()).isEqualTo("o-17");
    assertThat(journey.getLastOrderAt()).isEqualTo(T0 + 5_000);
    assertThat(journey.getOrderCount()).isEqualTo(1);
    assertThat(journey.isOrderedThisSession()).isTrue();
    assertThat(journey.getCartItems()).isEmpty();
    assertThat(journey.getCheckoutStep()).isZero();
    assertThat(journey.isCheckoutStarted()).isFalse();
  }

  @Test
  void orderCompleted_withoutTotal_takesRevenue() {
    track("Order Completed", Map.of("revenue", 450, "value", 400));

    assertThat(journey.getLastOrderValue()).isEqualTo(450.0);
  }

  @Test
  void orderCompleted_withOnlyValue_takesValue() {
    track("Order Completed", Map.of("value", "400.25"));

    assertThat(journey.getLastOrderValue()).isEqualTo(400.25);
  }

  @Test
  void orderCompleted_withoutAmount_takesTheCartValue() {
    track("Product Added", Map.of("product_id", "lamp", "price", 20, "quantity", 2));
    track("Product Added", Map.of("product_id", "pen", "price", 2.5));

    track("Order Completed", Map.of("order_id", 1001));

    assertThat(journey.getLastOrderValue()).isEqualTo(42.5);
    assertThat(journey.getLastOrderId()).isEqualTo("1001");
    assertThat(journey.getCartItems()).isEmpty();
  }

  @Test
  void orderCompleted_twice_countsBothOrders() {
    track("Order Completed", Map.of("order_id", "o1", "total", 10));
    track("Order Completed", Map.of("order_id", "o2", "total", 20));

    assertThat(journey.getOrderCount()).isEqualTo(2);
    assertThat(journey.getLastOrderId()).isEqualTo("o2");
    assertThat(journey.getLastOrderValue()).isEqualTo(20.0);
  }

  // --- Searches and form errors --------------------------------------------------------------

  @Test
  void productsSearched_keepsTheLastTenQueriesAndCountsAll() {
    IntStream.rangeClosed(1, 12).forEach(i -> track("Products Searched", Map.of("query", "q" + i)));

    assertThat(journey.getSearches()).containsExactly("q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12");
    assertThat(journey.getLastSearch()).isEqualTo("q12");
    assertThat(journey.getSearchesThisSession()).isEqualTo(12);
  }

  @Test
  void productsSearched_withoutQuery_countsButRecordsNoQuery() {
    track("Products Searched", Map.of());

    assertThat(journey.getSearches()).isEmpty();
    assertThat(journey.getLastSearch()).isEmpty();
    assertThat(journey.getSearchesThisSession()).isEqualTo(1);
  }

  @Test
  void formError_countsEachError() {
    track("Form Error", Map.of("form", "signup"));
    track("Form Error", Map.of("form", "signup"));
    track("Form Error", Map.of("form", "address"));

    assertThat(journey.getFormErrorsThisSession()).isEqualTo(3);
  }

  @Test
  void unknownTrackEvent_changesNoCommerceField() {
    track("Video Played", Map.of("product_id", "lamp", "price", 20, "step", 2, "query", "x"));

    assertThat(journey.getCartItems()).isEmpty();
    assertThat(journey.getCheckoutStep()).isZero();
    assertThat(journey.getSearches()).isEmpty();
    assertThat(journey.getLastSequence()).isEqualTo(1);
  }

  // --- Page views ----------------------------------------------------------------------------

  @Test
  void pageView_setsCurrentPageFromTheCall() {
    apply(pageEvent(new Event.Page("/products/lamp", "https://shop.test/products/lamp", "Lamp", null, null)));

    assertThat(journey.getCurrentPath()).isEqualTo("/products/lamp");
    assertThat(journey.getCurrentUrl()).isEqualTo("https://shop.test/products/lamp");
    assertThat(journey.getCurrentTitle()).isEqualTo("Lamp");
    assertThat(journey.getCurrentPageSince()).isEqualTo(T0);
    assertThat(journey.getPageViewsThisSession()).isEqualTo(1);
  }

  @Test
  void pageViews_keepTheLastTenPathsOfTheVisit() {
    IntStream.rangeClosed(1, 12).forEach(i -> page("/p" + i));

    assertThat(journey.getRecentPaths())
        .containsExactly("/p3", "/p4", "/p5", "/p6", "/p7", "/p8", "/p9", "/p10", "/p11", "/p12");
    assertThat(journey.getPageViewsThisSession()).isEqualTo(12);
    assertThat(journey.getCurrentPath()).isEqualTo("/p12");
  }

  @Test
  void referrer_isTakenFromTheFirstPageOfTheVisitOnly() {
    apply(pageEvent(new Event.Page("/", null, null, "https://search.test/?q=lamp", null)));
    apply(pageEvent(new Event.Page("/products", null, null, "https://shop.test/", null)));

    assertThat(journey.getReferrer()).isEqualTo("https://search.test/?q=lamp");
  }

  @Test
  void referrer_firstPageWithoutReferrer_laterReferrerIsIgnored() {
    page("/");
    apply(pageEvent(new Event.Page("/products", null, null, "https://shop.test/", null)));

    assertThat(journey.getReferrer()).isEmpty();
  }

  @Test
  void referrer_newVisit_takesTheNewFirstPagesReferrer() {
    apply(pageEvent(new Event.Page("/", null, null, "https://search.test/", null)));
    now += TIMEOUT + 1;

    apply(pageEvent(new Event.Page("/", null, null, "https://mail.test/", null)));

    assertThat(journey.getReferrer()).isEqualTo("https://mail.test/");
  }

  @Test
  void currentPageSince_changesOnlyWhenThePathChanges() {
    page("/products/lamp");
    now += 10_000;
    page("/products/lamp");
    now += 10_000;
    track("Product Viewed", Map.of("product_id", "lamp"), new Event.Page("/products/lamp", null, null, null, null));

    assertThat(journey.getCurrentPageSince()).isEqualTo(T0);

    now += 10_000;
    page("/cart");

    assertThat(journey.getCurrentPageSince()).isEqualTo(T0 + 30_000);

    now += 10_000;
    page("/products/lamp");

    assertThat(journey.getCurrentPageSince()).isEqualTo(T0 + 40_000);
  }

  @Test
  void trackWithAnotherContextPage_movesTheCurrentPageWithoutCountingAView() {
    page("/products/lamp");
    now += 5_000;

    track("Product Added", Map.of("product_id", "lamp"),
        new Event.Page("/cart", "https://shop.test/cart", "Cart", null, null));

    assertThat(journey.getCurrentPath()).isEqualTo("/cart");
    assertThat(journey.getCurrentTitle()).isEqualTo("Cart");
    assertThat(journey.getCurrentPageSince()).isEqualTo(T0 + 5_000);
    assertThat(journey.getPageViewsThisSession()).isEqualTo(1);
    assertThat(journey.getRecentPaths()).containsExactly("/products/lamp");
  }

  @Test
  void screen_withoutPath_usesTheScreenName() {
    apply(new Event("m" + sequence, "app", Event.EventType.SCREEN, "ann", null, null, "Basket", Map.of(), Map.of(),
        null, null));

    assertThat(journey.getCurrentPath()).isEqualTo("Basket");
    assertThat(journey.getCurrentTitle()).isEqualTo("Basket");
    assertThat(journey.getRecentPaths()).containsExactly("Basket");
  }

  // --- Context: device, campaign, locale -----------------------------------------------------

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1|mobile",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36|mobile",
      "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1|tablet",
      "Mozilla/5.0 (Android 14; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0|tablet",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36|desktop",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15|desktop",
  })
  void device_isTakenFromTheUserAgent(String userAgent, String device) {
    apply(event(Event.EventType.TRACK, "Anything", Map.of(), context(null, userAgent, null)));

    assertThat(journey.getDevice()).isEqualTo(device);
  }

  @Test
  void device_androidTabletWithoutMobileToken_isTablet() {
    apply(event(Event.EventType.TRACK, "Anything", Map.of(), context(null,
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
        null)));

    assertThat(journey.getDevice()).isEqualTo("tablet");
  }

  @Test
  void device_eventWithoutUserAgent_keepsTheKnownDevice() {
    apply(event(Event.EventType.TRACK, "A", Map.of(), context(null, "Mozilla/5.0 (iPhone) Mobile", null)));
    apply(event(Event.EventType.TRACK, "B", Map.of(), null));

    assertThat(journey.getDevice()).isEqualTo("mobile");
  }

  @Test
  void campaign_isTakenFromContextAndKeptByLaterEventsOfTheVisit() {
    apply(event(Event.EventType.PAGE, null, Map.of("path", "/"),
        context(new Event.Page("/", null, null, null, null), null,
            new Event.Campaign("newsletter", "email", "autumn-sale", null, null))));
    apply(event(Event.EventType.PAGE, null, Map.of("path", "/sale"), null));

    assertThat(journey.getCampaignSource()).isEqualTo("newsletter");
    assertThat(journey.getCampaignMedium()).isEqualTo("email");
    assertThat(journey.getCampaignName()).isEqualTo("autumn-sale");
  }

  @Test
  void campaign_withMissingParts_recordsThemEmpty() {
    apply(event(Event.EventType.TRACK, "X", Map.of(),
        context(null, null, new Event.Campaign("ads", null, null, null, null))));

    assertThat(journey.getCampaignSource()).isEqualTo("ads");
    assertThat(journey.getCampaignMedium()).isEmpty();
    assertThat(journey.getCampaignName()).isEmpty();
  }

  @Test
  void localeTimezoneAndIds_areRecorded() {
    Event.EventContext c = new Event.EventContext(null, null, "fr-FR", "Europe/Paris", null, Map.of());
    apply(new Event("m1", "web", Event.EventType.IDENTIFY, "anon-1", "user-1", null, null, Map.of(), Map.of(),
        null, c));
    apply(new Event("m2", "web", Event.EventType.TRACK, "anon-2", null, null, "X", Map.of(), Map.of(), null, null));

    assertThat(journey.getLocale()).isEqualTo("fr-FR");
    assertThat(journey.getTimezone()).isEqualTo("Europe/Paris");
    assertThat(journey.getAnonymousId()).isEqualTo("anon-2");
    assertThat(journey.getUserId()).isEqualTo("user-1");
    assertThat(journey.getLastSequence()).isEqualTo(2);
    assertThat(journey.getLastEventAt()).isEqualTo(T0);
  }

  // --- Visits --------------------------------------------------------------------------------

  @Test
  void startVisitIfDue_firstEvent_startsVisitOne() {
    assertThat(JourneyRecorder.startVisitIfDue(journey, T0, TIMEOUT)).isTrue();

    assertThat(journey.getVisitCount()).isEqualTo(1);
    assertThat(journey.getSessionStartedAt()).isEqualTo(T0);
    assertThat(journey.isReturning()).isFalse();
  }

  @Test
  void startVisitIfDue_withinOrExactlyAtTheTimeout_keepsTheVisit() {
    page("/");

    assertThat(JourneyRecorder.startVisitIfDue(journey, T0 + 1, TIMEOUT)).isFalse();
    assertThat(JourneyRecorder.startVisitIfDue(journey, T0 + TIMEOUT, TIMEOUT)).isFalse();
    assertThat(journey.getVisitCount()).isEqualTo(1);
    assertThat(journey.getRecentPaths()).containsExactly("/");
  }

  @Test
  void startVisitIfDue_afterTheTimeout_resetsSessionFieldsAndKeepsCustomerFields() {
    apply(event(Event.EventType.PAGE, null, Map.of("path", "/", "referrer", "https://search.test/"),
        context(null, "Mozilla/5.0 (iPhone) Mobile", new Event.Campaign("ads", "cpc", "spring", null, null))));
    page("/products/lamp");
    track("Products Searched", Map.of("query", "lamp"));
    track("Order Completed", Map.of("order_id", "o1", "total", 30));
    track("Product Added", Map.of("product_id", "sofa", "price", 450, "currency", "eur"));
    track("Checkout Step Viewed", Map.of("step", 2));
    track("Form Error", Map.of("form", "address"));
    long lastEvent = now;

    boolean started = JourneyRecorder.startVisitIfDue(journey, lastEvent + TIMEOUT + 1, TIMEOUT);

    assertThat(started).isTrue();
    // session fields
    assertThat(journey.getVisitCount()).isEqualTo(2);
    assertThat(journey.isReturning()).isTrue();
    assertThat(journey.getSessionStartedAt()).isEqualTo(lastEvent + TIMEOUT + 1);
    assertThat(journey.getPageViewsThisSession()).isZero();
    assertThat(journey.getRecentPaths()).isEmpty();
    assertThat(journey.getCurrentPath()).isEmpty();
    assertThat(journey.getCurrentUrl()).isEmpty();
    assertThat(journey.getCurrentTitle()).isEmpty();
    assertThat(journey.getCheckoutStep()).isZero();
    assertThat(journey.isCheckoutStarted()).isFalse();
    assertThat(journey.isOrderedThisSession()).isFalse();
    assertThat(journey.getSearchesThisSession()).isZero();
    assertThat(journey.getFormErrorsThisSession()).isZero();
    assertThat(journey.getReferrer()).isEmpty();
    assertThat(journey.getCampaignSource()).isEmpty();
    assertThat(journey.getCampaignMedium()).isEmpty();
    assertThat(journey.getCampaignName()).isEmpty();
    // customer fields
    assertThat(journey.getCartItems()).containsExactly(new CartItem("sofa", null, null, 450.0, 1));
    assertThat(journey.getCartCurrency()).isEqualTo("EUR");
    assertThat(journey.getSearches()).containsExactly("lamp");
    assertThat(journey.getOrderCount()).isEqualTo(1);
    assertThat(journey.getLastOrderId()).isEqualTo("o1");
    assertThat(journey.getLastOrderValue()).isEqualTo(30.0);
    assertThat(journey.getPageViewsBefore()).isEqualTo(2);
    assertThat(journey.getDevice()).isEqualTo("mobile");
  }

  @Test
  void pageViewsBefore_addsUpOverSeveralVisits() {
    page("/a");
    page("/b");
    now += TIMEOUT + 1;
    page("/c");
    page("/d");
    page("/e");
    now += TIMEOUT + 1;
    page("/f");

    assertThat(journey.getVisitCount()).isEqualTo(3);
    assertThat(journey.getPageViewsBefore()).isEqualTo(5);
    assertThat(journey.getPageViewsThisSession()).isEqualTo(1);
    assertThat(journey.getRecentPaths()).containsExactly("/f");
  }

  @Test
  void newVisit_samePathAsBefore_isANewArrival() {
    page("/");
    now += TIMEOUT + 1;

    page("/");

    assertThat(journey.getCurrentPageSince()).isEqualTo(T0 + TIMEOUT + 1);
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Applies an event the way the session does: new visit first, then the event. */
  private void apply(Event e) {
    JourneyRecorder.startVisitIfDue(journey, now, TIMEOUT);
    CustomerEvent fact = new CustomerEvent("ann", ++sequence, e.type().id(), e.name(),
        JourneyRecorder.pathOf(e, journey), e.properties(), now);
    JourneyRecorder.record(journey, e, fact, now);
  }

  private void track(String name, Map<String, Object> properties) {
    apply(event(Event.EventType.TRACK, name, properties, null));
  }

  private void track(String name, Map<String, Object> properties, Event.Page page) {
    apply(event(Event.EventType.TRACK, name, properties, context(page, null, null)));
  }

  private void page(String path) {
    apply(pageEvent(new Event.Page(path, null, null, null, null)));
  }

  /** A page call as Segment's analytics.js sends it: page fields in properties and in context.page. */
  private Event pageEvent(Event.Page page) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("path", page.path());
    if (page.url() != null) {
      properties.put("url", page.url());
    }
    if (page.title() != null) {
      properties.put("title", page.title());
    }
    if (page.referrer() != null) {
      properties.put("referrer", page.referrer());
    }
    return event(Event.EventType.PAGE, null, properties, context(page, null, null));
  }

  private Event event(Event.EventType type, String name, Map<String, Object> properties, Event.EventContext context) {
    return new Event("m" + (sequence + 1), "web", type, "anon-1", null, null, name, properties, Map.of(), null,
        context);
  }

  private static Event.EventContext context(Event.Page page, String userAgent, Event.Campaign campaign) {
    return new Event.EventContext(page, userAgent, null, null, campaign, Map.of());
  }
}
