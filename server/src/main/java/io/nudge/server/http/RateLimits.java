package io.nudge.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Token-bucket rate limits on the routes a web page calls with a write key: ingestion and
 * {@code POST /v1/visitor/token}. Mount it on {@code /v1/*} before those routes (and after
 * {@link SiteOrigins}, so that a 429 carries CORS headers a page can read); other routes pass untouched.
 *
 * <ul>
 *   <li>Per client address ({@code NUDGE_RATE_LIMIT_PER_ADDRESS}): the peer's address, or with
 *       {@code NUDGE_TRUSTED_PROXIES} the client's address from {@code X-Forwarded-For}; IPv6 per /64.
 *   <li>Per write key ({@code NUDGE_RATE_LIMIT_PER_KEY}): the HTTP Basic user name, when it is one of the
 *       write keys. A write key sent only in the body ({@code writeKey}) is not seen here, since the body
 *       is not read before the limit is checked: such requests are limited per client address only.
 *       Unknown keys get no bucket (their requests fail with 401 anyway), so nobody can fill memory by
 *       inventing keys.
 * </ul>
 *
 * <p>Each limit allows its rate sustained and twice its rate in a burst; 0 turns it off. The address is
 * checked first, so one noisy client uses up its own allowance, not its site's. Over a limit the answer
 * is 429 with {@code Retry-After} and the request body is never read. Keys and addresses are never
 * logged. Safe to share between event loops.
 */
public final class RateLimits implements Handler<RoutingContext> {
  /** The most write keys and the most client addresses tracked, each; see {@link TokenBuckets}. */
  public static final int MAX_TRACKED = 100_000;

  private final Credentials credentials;
  private final ClientAddresses addresses;
  private final LongSupplier nanoTime;
  private final int perKey;
  private final int perAddress;
  private final TokenBuckets keyBuckets;
  private final TokenBuckets addressBuckets;

  private RateLimits(Credentials credentials, int perKey, int perAddress, ClientAddresses addresses,
      LongSupplier nanoTime, int maxTracked) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.addresses = addresses;
    this.nanoTime = nanoTime;
    this.perKey = perKey;
    this.perAddress = perAddress;
    long now = nanoTime.getAsLong();
    this.keyBuckets = perKey == 0 ? null : new TokenBuckets(perKey, maxTracked, "write keys", now);
    this.addressBuckets = perAddress == 0 ? null : new TokenBuckets(perAddress, maxTracked, "client addresses", now);
  }

  /**
   * @param credentials tells write keys from made-up ones
   * @param perKeyPerSecond {@code NUDGE_RATE_LIMIT_PER_KEY}, requests a second per write key; 0 for none
   * @param perAddressPerSecond {@code NUDGE_RATE_LIMIT_PER_ADDRESS}, requests a second per client address;
   *     0 for none
   * @param trustedProxies {@code NUDGE_TRUSTED_PROXIES}: addresses or ranges ({@code 10.0.0.0/8}) whose
   *     {@code X-Forwarded-For} is believed; empty to ignore that header
   * @throws IllegalArgumentException naming the setting, when a rate is negative or a proxy is no address
   */
  public static RateLimits create(Credentials credentials, int perKeyPerSecond, int perAddressPerSecond,
      Collection<String> trustedProxies) {
    return create(credentials, perKeyPerSecond, perAddressPerSecond, trustedProxies, System::nanoTime, MAX_TRACKED);
  }

  /** With the clock and the cap given, for tests. */
  static RateLimits create(Credentials credentials, int perKeyPerSecond, int perAddressPerSecond,
      Collection<String> trustedProxies, LongSupplier nanoTime, int maxTracked) {
    checkRate("NUDGE_RATE_LIMIT_PER_KEY", perKeyPerSecond);
    checkRate("NUDGE_RATE_LIMIT_PER_ADDRESS", perAddressPerSecond);
    return new RateLimits(credentials, perKeyPerSecond, perAddressPerSecond,
        ClientAddresses.trusting(trustedProxies), nanoTime, maxTracked);
  }

  private static void checkRate(String setting, int perSecond) {
    if (perSecond < 0 || perSecond > 1_000_000) {
      throw new IllegalArgumentException(setting + " is " + perSecond + ", must be between 0 and 1000000");
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path = PageRoutes.canonical(ctx.normalizedPath());
    if (!PageRoutes.isIngestion(path) && !PageRoutes.isVisitorToken(path) && !PageRoutes.isEngagementOutcome(path)) {
      ctx.next();
      return;
    }
    long now = nanoTime.getAsLong();
    if (addressBuckets != null) {
      long wait = addressBuckets.acquire(addresses.keyOf(ctx.request()), now);
      if (wait > 0) {
        refuse(ctx, perAddress, "client address", "NUDGE_RATE_LIMIT_PER_ADDRESS", wait);
        return;
      }
    }
    if (keyBuckets != null) {
      String key = Credentials.basicUser(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
      long wait = credentials.isWriteKey(key) ? keyBuckets.acquire(key, now) : 0;
      if (wait > 0) {
        refuse(ctx, perKey, "write key", "NUDGE_RATE_LIMIT_PER_KEY", wait);
        return;
      }
    }
    ctx.next();
  }

  private static void refuse(RoutingContext ctx, int perSecond, String per, String setting, long waitNanos) {
    int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (waitNanos + 999_999_999L) / 1_000_000_000L));
    ApiError.tooManyRequests("rate limit of " + perSecond + " requests/s per " + per + " exceeded (" + setting
        + "); retry after " + seconds + " s", seconds).send(ctx);
  }
}
