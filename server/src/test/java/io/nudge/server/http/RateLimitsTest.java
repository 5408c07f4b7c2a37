package io.nudge.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class RateLimitsTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Credentials CREDENTIALS = new Credentials(Set.of("wk_a", "wk_b"), "int_t", "adm_t");
  private static final String ADDRESS_LIMITED = "{\"error\":\"rate limit of 2 requests/s per client address "
      + "exceeded (NUDGE_RATE_LIMIT_PER_ADDRESS); retry after 1 s\"}";

  /** The limiter's clock, in nanoseconds; far from zero so that nothing depends on its origin. */
  private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - 3_000_000_000L);
  private Vertx vertx;
  private int port;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void start(int perKey, int perAddress, Set<String> trustedProxies, int maxTracked) throws Exception {
    RateLimits limits = RateLimits.create(CREDENTIALS, perKey, perAddress, trustedProxies, nanos::get, maxTracked);
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route("/v1/*").handler(limits);
    router.route().handler(ctx -> ctx.response().end("ok"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  private void advanceMillis(long millis) {
    nanos.addAndGet(millis * 1_000_000L);
  }

  private HttpResponse<String> post(String path, String writeKey, String forwardedFor) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"batch\":[]}"));
    if (writeKey != null) {
      b.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)));
    }
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<Integer> statuses(int n, String path, String writeKey, String forwardedFor) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(post(path, writeKey, forwardedFor).statusCode());
    }
    return out;
  }

  @Test
  void perAddress_overTheBurstOfTwiceTheRate_returns429WithRetryAfterAndTheSetting() throws Exception {
    start(0, 2, Set.of(), RateLimits.MAX_TRACKED);

    assertThat(statuses(4, "/v1/batch", "wk_a", null)).containsOnly(200);
    HttpResponse<String> refused = post("/v1/track", "wk_b", null);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(refused.body()).isEqualTo(ADDRESS_LIMITED);
  }

  @Test
  void perAddress_refillsAtTheRate_withoutSleeping() throws Exception {
    start(0, 2, Set.of(), RateLimits.MAX_TRACKED);
    assertThat(statuses(5, "/v1/p", null, null)).containsExactly(200, 200, 200, 200, 429);

    advanceMillis(499);
    assertThat(post("/v1/p", null, null).statusCode()).isEqualTo(429);
    advanceMillis(1);
    assertThat(statuses(2, "/v1/p", null, null)).containsExactly(200, 429);
    advanceMillis(2_000);
    assertThat(statuses(5, "/v1/p", null, null)).containsExactly(200, 200, 200, 200, 429);
  }

  @Test
  void perKey_limitsEachWriteKeyOnItsOwn_withItsOwnMessage() throws Exception {
    start(1, 0, Set.of(), RateLimits.MAX_TRACKED);

    assertThat(statuses(2, "/v1/batch", "wk_a", null)).containsExactly(200, 200);
    HttpResponse<String> refused = post("/v1/visitor/token", "wk_a", null);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.body()).isEqualTo("{\"error\":\"rate limit of 1 requests/s per write key exceeded "
        + "(NUDGE_RATE_LIMIT_PER_KEY); retry after 1 s\"}");

    assertThat(statuses(3, "/v1/batch", "wk_b", null)).containsExactly(200, 200, 429);
  }

  @Test
  void perKey_unknownKeysAndKeysInTheBody_areNotTrackedPerKey() throws Exception {
    start(1, 0, Set.of(), 1);

    assertThat(statuses(5, "/v1/batch", "wk_invented", null)).containsOnly(200);
    assertThat(statuses(5, "/v1/batch", null, null)).containsOnly(200);
    // the table (cap 1 here) still has room for a real key
    assertThat(statuses(3, "/v1/batch", "wk_a", null)).containsExactly(200, 200, 429);
  }

  @Test
  void addressIsCheckedFirst_soANoisyClientDoesNotSpendItsSitesAllowance() throws Exception {
    start(4, 2, Set.of("127.0.0.1"), RateLimits.MAX_TRACKED);

    assertThat(statuses(6, "/v1/batch", "wk_a", "203.0.113.7"))
        .containsExactly(200, 200, 200, 200, 429, 429);
    assertThat(statuses(5, "/v1/batch", "wk_a", "203.0.113.8"))
        .containsExactly(200, 200, 200, 200, 429);
    assertThat(post("/v1/batch", "wk_a", "203.0.113.8").body())
        .isEqualTo(ADDRESS_LIMITED);
    assertThat(post("/v1/batch", "wk_a", "203.0.113.9").body()).isEqualTo("{\"error\":\"rate limit of 4 "
        + "requests/s per write key exceeded (NUDGE_RATE_LIMIT_PER_KEY); retry after 1 s\"}");
  }

  @Test
  void zero_turnsBothLimitsOff() throws Exception {
    start(0, 0, Set.of(), RateLimits.MAX_TRACKED);

    assertThat(statuses(50, "/v1/batch", "wk_a", null)).containsOnly(200);
  }

  @Test
  void serverRoutesAndUnknownPaths_areNotLimited() throws Exception {
    start(1, 1, Set.of(), RateLimits.MAX_TRACKED);

    assertThat(statuses(5, "/v1/customers/u1/consent", "wk_a", null)).containsOnly(200);
    assertThat(statuses(5, "/v1/engagements/stream", "wk_a", null)).containsOnly(200);
    assertThat(statuses(5, "/v1/visitor/stream", "wk_a", null)).containsOnly(200);
    assertThat(statuses(5, "/v1/batches", "wk_a", null)).containsOnly(200);
  }

  @Test
  void everyIngestionPath_andItsTrailingSlashOrDotSegmentForm_isLimited() throws Exception {
    start(0, 1, Set.of(), RateLimits.MAX_TRACKED);

    assertThat(statuses(2, "/v1/batch/", null, null)).containsExactly(200, 200);
    assertThat(post("/v1/./b", null, null).statusCode()).isEqualTo(429);
    for (String path : List.of("/v1/b", "/v1/track", "/v1/t", "/v1/page", "/v1/p", "/v1/screen", "/v1/s",
        "/v1/identify", "/v1/i", "/v1/alias", "/v1/a", "/v1/group", "/v1/g", "/v1/visitor/token")) {
      assertThat(post(path, null, null).statusCode()).as(path).isEqualTo(429);
    }
  }

  @Test
  void forwardedFor_isIgnored_unlessThePeerIsATrustedProxy() throws Exception {
    start(0, 1, Set.of("10.0.0.0/8"), RateLimits.MAX_TRACKED);

    assertThat(statuses(2, "/v1/batch", null, "203.0.113.7")).containsExactly(200, 200);
    assertThat(post("/v1/batch", null, "203.0.113.8").statusCode()).isEqualTo(429);
  }

  @Test
  void forwardedFor_fromATrustedProxy_limitsTheNearestUntrustedAddress_notWhatTheClientWrote() throws Exception {
    start(0, 1, Set.of("127.0.0.1", "10.1.0.0/16"), RateLimits.MAX_TRACKED);

    assertThat(statuses(2, "/v1/batch", null, "203.0.113.7")).containsExactly(200, 200);
    assertThat(post("/v1/batch", null, "198.51.100.1, 203.0.113.7").statusCode()).isEqualTo(429);
    assertThat(post("/v1/batch", null, "203.0.113.7, 10.1.2.3").statusCode()).isEqualTo(429);
    assertThat(post("/v1/batch", null, "[203.0.113.7]:5678").statusCode()).isEqualTo(429);
    assertThat(statuses(3, "/v1/batch", null, "203.0.113.7, 198.51.100.1")).containsExactly(200, 200, 429);
  }

  @Test
  void forwardedFor_withNoAddress_limitsTheProxyThatPassedItOn() throws Exception {
    start(0, 1, Set.of("127.0.0.1"), RateLimits.MAX_TRACKED);

    assertThat(statuses(2, "/v1/batch", null, "unknown")).containsExactly(200, 200);
    assertThat(post("/v1/batch", null, "_hidden").statusCode()).isEqualTo(429);
    assertThat(post("/v1/batch", null, "203.0.113.7").statusCode()).isEqualTo(200);
  }

  @Test
  void ipv6Clients_areLimitedPer64() throws Exception {
    start(0, 1, Set.of("127.0.0.1"), RateLimits.MAX_TRACKED);

    assertThat(post("/v1/batch", null, "2001:db8:1:2::1").statusCode()).isEqualTo(200);
    assertThat(post("/v1/batch", null, "2001:db8:1:2:ffff:ffff:ffff:ffff").statusCode()).isEqualTo(200);
    assertThat(post("/v1/batch", null, "2001:db8:1:2::7").statusCode()).isEqualTo(429);
    assertThat(post("/v1/batch", null, "2001:db8:1:3::1").statusCode()).isEqualTo(200);
  }

  @Test
  void overTheCap_newAddressesPassUntracked_untilIdleOnesAreDropped() throws Exception {
    start(0, 1, Set.of("127.0.0.1"), 2);
    assertThat(post("/v1/batch", null, "203.0.113.1").statusCode()).isEqualTo(200);
    assertThat(post("/v1/batch", null, "203.0.113.2").statusCode()).isEqualTo(200);

    assertThat(statuses(5, "/v1/batch", null, "203.0.113.3")).containsOnly(200);

    advanceMillis(1_000);
    assertThat(statuses(3, "/v1/batch", null, "203.0.113.3")).containsExactly(200, 200, 429);
  }

  @Test
  void badSettings_nameTheSettingAndTheValue() {
    assertThatThrownBy(() -> RateLimits.create(CREDENTIALS, 10, 10, Set.of("10.0.0.0/33")))
        .hasMessage("NUDGE_TRUSTED_PROXIES has \"10.0.0.0/33\", not an IP address or a range such as "
            + "10.0.0.0/8 or fd00::/8");
    assertThatThrownBy(() -> RateLimits.create(CREDENTIALS, 10, 10, Set.of("proxy.internal")))
        .hasMessage("NUDGE_TRUSTED_PROXIES has \"proxy.internal\", not an IP address or a range such as "
            + "10.0.0.0/8 or fd00::/8");
    assertThatThrownBy(() -> RateLimits.create(CREDENTIALS, -1, 10, Set.of()))
        .hasMessage("NUDGE_RATE_LIMIT_PER_KEY is -1, must be between 0 and 1000000");
    assertThatThrownBy(() -> RateLimits.create(CREDENTIALS, 10, -1, Set.of()))
        .hasMessage("NUDGE_RATE_LIMIT_PER_ADDRESS is -1, must be between 0 and 1000000");
  }

  @Test
  void buckets_underContention_grantExactlyTheBurst() throws Exception {
    TokenBuckets buckets = new TokenBuckets(50, 10, "client addresses", 0);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        tasks.add(() -> {
          int granted = 0;
          for (int i = 0; i < 1_000; i++) {
            granted += buckets.acquire("203.0.113.7", 5) == 0 ? 1 : 0;
          }
          return granted;
        });
      }
      int granted = 0;
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        granted += f.get();
      }
      assertThat(granted).isEqualTo(100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void buckets_afterIdleTime_areDroppedFromMemory() {
    TokenBuckets buckets = new TokenBuckets(10, 1_000, "client addresses", 0);
    for (int i = 0; i < 500; i++) {
      buckets.acquire("203.0.113." + (i % 250), 0);
    }
    assertThat(buckets.size()).isEqualTo(250);

    buckets.acquire("198.51.100.1", TokenBuckets.SWEEP_INTERVAL_NANOS);

    assertThat(buckets.size()).isEqualTo(1);
  }
}
