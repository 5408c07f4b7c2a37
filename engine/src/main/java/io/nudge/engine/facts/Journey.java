package io.nudge.engine.facts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One customer's journey: what the rules know about them, kept up to date by the engine after every
 * event. Session fields reset when a new visit starts (after 30 minutes without events); customer
 * fields stay. Times are epoch milliseconds on the engine clock.
 *
 * <p>Rules read it; only the engine changes it.
 */
public final class Journey implements CustomerFact {
  static final int RECENT_LIMIT = 10;

  private final String customerId;
  String anonymousId;
  String userId;

  // visits
  int visitCount;
  long sessionStartedAt;
  long lastEventAt;
  long lastSequence;

  // pages
  String currentPath = "";
  String currentUrl = "";
  String currentTitle = "";
  long currentPageSince;
  int pageViewsThisSession;
  int pageViewsBefore;
  final ArrayList<String> recentPaths = new ArrayList<>();

  // cart and orders
  final ArrayList<CartItem> cartItems = new ArrayList<>();
  String cartCurrency = "";
  int checkoutStep;
  boolean checkoutStarted;
  boolean orderedThisSession;
  int orderCount;
  long lastOrderAt;
  double lastOrderValue;
  String lastOrderId = "";

  // searches and struggles
  final ArrayList<String> searches = new ArrayList<>();
  int searchesThisSession;
  int formErrorsThisSession;

  // contacts through other channels
  int interactionCount;
  long lastContactAt;
  String lastContactChannel = "";
  String lastContactQueue = "";
  String lastContactCaseId = "";
  String lastContactReason = "";
  boolean lastContactResolved;
  int lastCsat;
  long lastCsatAt;
  final ArrayList<String> openCases = new ArrayList<>();

  // where they came from and what they use
  String referrer = "";
  String campaignSource = "";
  String campaignMedium = "";
  String campaignName = "";
  String device = "";
  String locale = "";
  String timezone = "";

  public Journey(String customerId) {
    this.customerId = customerId;
  }

  @Override
  public String getCustomerId() {
    return customerId;
  }

  public String getAnonymousId() {
    return anonymousId;
  }

  public String getUserId() {
    return userId;
  }

  /** Visits so far, this one included; 1 on the first visit. */
  public int getVisitCount() {
    return visitCount;
  }

  /** True from the second visit on. */
  public boolean isReturning() {
    return visitCount > 1;
  }

  public long getSessionStartedAt() {
    return sessionStartedAt;
  }

  public long getLastEventAt() {
    return lastEventAt;
  }

  /** The {@link CustomerEvent#getSequence()} of the newest event. */
  public long getLastSequence() {
    return lastSequence;
  }

  /** Path of the page they are on now, for example {@code /checkout/payment}; "" before any page. */
  public String getCurrentPath() {
    return currentPath;
  }

  public String getCurrentUrl() {
    return currentUrl;
  }

  public String getCurrentTitle() {
    return currentTitle;
  }

  /** When they arrived on the current page. */
  public long getCurrentPageSince() {
    return currentPageSince;
  }

  public int getPageViewsThisSession() {
    return pageViewsThisSession;
  }

  /** Page views in earlier visits. */
  public int getPageViewsBefore() {
    return pageViewsBefore;
  }

  /** Paths viewed this visit, oldest first, the last ten at most. */
  public List<String> getRecentPaths() {
    return Collections.unmodifiableList(recentPaths);
  }

  public List<CartItem> getCartItems() {
    return Collections.unmodifiableList(cartItems);
  }

  /** Sum of price times quantity over the cart. */
  public double getCartValue() {
    double total = 0;
    for (CartItem item : cartItems) {
      total += item.value();
    }
    return total;
  }

  /** Number of units in the cart. */
  public int getCartQuantity() {
    int total = 0;
    for (CartItem item : cartItems) {
      total += item.quantity();
    }
    return total;
  }

  public String getCartCurrency() {
    return cartCurrency;
  }

  /** The checkout step last viewed or completed, 0 before checkout. */
  public int getCheckoutStep() {
    return checkoutStep;
  }

  public boolean isCheckoutStarted() {
    return checkoutStarted;
  }

  public boolean isOrderedThisSession() {
    return orderedThisSession;
  }

  public int getOrderCount() {
    return orderCount;
  }

  /** When the last order was completed, 0 if never. */
  public long getLastOrderAt() {
    return lastOrderAt;
  }

  public double getLastOrderValue() {
    return lastOrderValue;
  }

  public String getLastOrderId() {
    return lastOrderId;
  }

  /** Search queries, oldest first, the last ten at most (kept across visits). */
  public List<String> getSearches() {
    return Collections.unmodifiableList(searches);
  }

  /** The newest search query, or "". */
  public String getLastSearch() {
    return searches.isEmpty() ? "" : searches.get(searches.size() - 1);
  }

  public int getSearchesThisSession() {
    return searchesThisSession;
  }

  public int getFormErrorsThisSession() {
    return formErrorsThisSession;
  }

  /** Contact-centre interactions posted for this customer. */
  public int getInteractionCount() {
    return interactionCount;
  }

  /** When the newest interaction started, 0 if none. */
  public long getLastContactAt() {
    return lastContactAt;
  }

  /** Its channel ({@code call}, {@code chat}, ...), or "". */
  public String getLastContactChannel() {
    return lastContactChannel;
  }

  public String getLastContactQueue() {
    return lastContactQueue;
  }

  public String getLastContactCaseId() {
    return lastContactCaseId;
  }

  public String getLastContactReason() {
    return lastContactReason;
  }

  public boolean isLastContactResolved() {
    return lastContactResolved;
  }

  /** The newest satisfaction rating (1 to 5), 0 if never rated. */
  public int getLastCsat() {
    return lastCsat;
  }

  /** When the interaction with that rating started, 0 if never rated. */
  public long getLastCsatAt() {
    return lastCsatAt;
  }

  /** Case ids of interactions not resolved by a later one, oldest first, ten at most. */
  public List<String> getOpenCases() {
    return Collections.unmodifiableList(openCases);
  }

  /** The referrer of the first page of this visit, or "". */
  public String getReferrer() {
    return referrer;
  }

  public String getCampaignSource() {
    return campaignSource;
  }

  public String getCampaignMedium() {
    return campaignMedium;
  }

  public String getCampaignName() {
    return campaignName;
  }

  /** {@code mobile}, {@code tablet}, {@code desktop}, or "" when no user agent was sent. */
  public String getDevice() {
    return device;
  }

  public String getLocale() {
    return locale;
  }

  public String getTimezone() {
    return timezone;
  }

  /** A deep copy, safe to hand to another thread (through the snapshot codec, so no field is missed). */
  public Journey snapshot() {
    byte[] bytes = io.nudge.engine.store.Binary.write(w -> JourneyCodec.write(this, w));
    return io.nudge.engine.store.Binary.read(bytes, r -> JourneyCodec.read(customerId, r));
  }

  @Override
  public String toString() {
    return "Journey[" + customerId + " on " + currentPath + ", cart " + getCartValue() + "]";
  }
}
