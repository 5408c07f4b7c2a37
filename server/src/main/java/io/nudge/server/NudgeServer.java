package io.nudge.server;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.Erasure;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.RulePack;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.rocks.RocksStore;
import io.nudge.server.admin.CustomerAdminRoutes;
import io.nudge.server.admin.DataSubjectRoutes;
import io.nudge.server.admin.DeliveryAdminRoutes;
import io.nudge.server.admin.StatisticsRoutes;
import io.nudge.server.config.ConfigException;
import io.nudge.server.contactcentre.AgentContextRoutes;
import io.nudge.server.demo.DemoRoutes;
import io.nudge.server.sdk.SdkRoutes;
import io.nudge.server.contactcentre.InteractionRoutes;
import io.nudge.server.contactcentre.QueueCapacityRoutes;
import io.nudge.server.dashboard.DashboardRoutes;
import io.nudge.server.dashboard.DecisionStream;
import io.nudge.server.dashboard.JourneyPathRoutes;
import io.nudge.server.dashboard.PerformanceRoutes;
import io.nudge.server.rules.RuleDeployment;
import io.nudge.server.rules.RulesRoutes;
import io.nudge.server.config.NudgeConfig;
import io.nudge.server.config.Secrets;
import io.nudge.server.delivery.DeliveryLimits;
import io.nudge.server.delivery.EngagementStream;
import io.nudge.server.delivery.OutcomeRoutes;
import io.nudge.server.delivery.RetryPolicy;
import io.nudge.server.delivery.StreamSettings;
import io.nudge.server.delivery.VisitorStream;
import io.nudge.server.delivery.VisitorTokens;
import io.nudge.server.delivery.WebhookDelivery;
import io.nudge.server.delivery.WebhookSigner;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.nudge.server.http.RateLimits;
import io.nudge.server.http.SiteOrigins;
import io.nudge.server.privacy.PreferenceCentreRoutes;
import io.nudge.server.privacy.PrivacyTexts;
import io.nudge.server.privacy.VisitorPrivacyRoutes;
import io.nudge.server.ingest.ConsentCategories;
import io.nudge.server.ingest.IngestLimits;
import io.nudge.server.ingest.SegmentIngestRoutes;
import io.nudge.server.ingest.SegmentParser;
import io.nudge.server.metrics.MetricsRoutes;
import io.nudge.server.metrics.NudgeMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.PrintStream;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Nudge: the engine, and the HTTP adapters around it on one port. This is the one place
 * where parts are wired together, so a test can start the whole server with its real collaborators.
 */
public final class NudgeServer implements AutoCloseable {
  private final Vertx vertx;
  private final ShardedEngine engine;
  private final RocksStore store;
  private final HttpServer http;
  private final WebhookDelivery webhooks;
  private final NudgeConfig config;
  private final AtomicBoolean stopping;
  private final RuleDeployment deployment;
  private final NudgeMetrics metrics;

  private NudgeServer(Vertx vertx, ShardedEngine engine, RocksStore store, HttpServer http,
      WebhookDelivery webhooks, NudgeConfig config, AtomicBoolean stopping, RuleDeployment deployment,
      NudgeMetrics metrics) {
    this.metrics = metrics;
    this.stopping = stopping;
    this.deployment = deployment;
    this.vertx = vertx;
    this.engine = engine;
    this.store = store;
    this.http = http;
    this.webhooks = webhooks;
    this.config = config;
  }

  /**
   * Loads the rules, fills in missing credentials, starts the engine and listens; returns once the port
   * is open.
   *
   * @param clock the engine clock; {@link InstantSource#system()} outside tests
   * @param console where generated credentials are printed, once
   */
  public static NudgeServer start(NudgeConfig given, InstantSource clock, PrintStream console) {
    Secrets secrets = Secrets.resolve(given, console);
    NudgeConfig config = secrets.config();
    WebhookSigner signer = signer(config.webhookSecret());
    RulePack rules = RulePack.load(config.rulesDir());
    Credentials credentials = new Credentials(config.writeKeys(), config.integrationToken(), config.adminToken());
    SiteOrigins origins = setting(() -> SiteOrigins.create(config.allowedOrigins()));
    RateLimits rateLimits = setting(() -> RateLimits.create(credentials, config.rateLimitPerKey(),
        config.rateLimitPerAddress(), config.trustedProxies()));
    PrivacyTexts privacyTexts = setting(() -> PrivacyTexts.load(config.privacyTexts()));
    Vertx vertx = Vertx.vertx();

    VisitorTokens visitorTokens = VisitorTokens.create(secrets.visitorKey());
    VisitorStream visitors = VisitorStream.create(vertx, credentials, visitorTokens);
    ShardedEngine[] engineRef = new ShardedEngine[1];
    AtomicBoolean stopping = new AtomicBoolean();
    RocksStore store = RocksStore.open(config.dataDir().resolve("store"), clock);
    // the stream's replay starts where it stopped, so a chat system resumes across a restart
    EngagementStream stream = EngagementStream.create(vertx, credentials, StreamSettings.defaults(),
        store.decisions().recentlySent(StreamSettings.defaults().replayCapacity()));
    WebhookDelivery webhooks = config.webhookUrl() == null ? null : WebhookDelivery.create(vertx,
        config.webhookUrl().toString(), signer, retryPolicy(config), DeliveryLimits.defaults(), store.outbox(),
        new WebhookDelivery.Expiry(config.webhookExpiry(), Duration.ofSeconds(30),
            (e, why) -> engineRef[0].deliveryExpired(e, why), clock));
    RuleDeployment[] deploymentRef = new RuleDeployment[1];
    DecisionStream decisions = DecisionStream.create(vertx, credentials, () -> store.events().lastSequence(),
        () -> engineRef[0] == null ? 0 : engineRef[0].queuedEvents(), clock);
    NudgeMetrics metrics = NudgeMetrics.create();
    EngineSettings engineSettings = engineSettings(config, clock).withMetrics(metrics);
    // takes events at once; the journeys and the log are read, and the shards catch up, behind them
    ShardedEngine engine = ShardedEngine.startRecovering(engineSettings, rules, decision -> {
      if (deploymentRef[0] != null) {
        deploymentRef[0].count(decision);
      }
      decisions.publish(decision);
      if (decision.outcome() == Decision.Outcome.SENT) {
        Engagement e = decision.engagement();
        if (webhooks != null) {
          store.outbox().add(e); // before the decision is recorded: a crash repeats it, never loses it
        }
        stream.publish(e);
        visitors.publish(e, devicesOf(engineRef[0], e));
        if (webhooks != null) {
          webhooks.deliver(e);
        }
      }
    }, store);
    engineRef[0] = engine;
    metrics.bindEngine(engine);
    if (webhooks != null) {
      metrics.bindWebhooks(webhooks);
    }
    RuleDeployment deployment = RuleDeployment.watch(config.rulesDir(), engine, clock,
        config.dataDir().resolve("rules-history.json"));
    deploymentRef[0] = deployment;
    Router router = Router.router(vertx);
    router.errorHandler(400, ctx -> ApiError.badRequest("the request's path or query is malformed").send(ctx));
    router.errorHandler(404, ctx -> ApiError.notFound("no route for " + ctx.request().method() + " "
        + ctx.request().path()).send(ctx));
    router.errorHandler(405, ctx -> ApiError.methodNotAllowed(ctx.request().method() + " is not allowed on "
        + ctx.request().path()).send(ctx));
    router.route("/v1/*").handler(origins); // first: preflights end here, and a 429 still carries CORS
    router.route("/v1/*").handler(rateLimits); // before any route reads a body
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
    router.get("/health/ready").handler(ctx -> {
      if (stopping.get()) {
        ctx.response().setStatusCode(503);
        ctx.json(new JsonObject().put("status", "stopping"));
      } else {
        java.util.concurrent.CompletableFuture<Void> recovered = engine.recovered();
        if (recovered.isCompletedExceptionally()) {
          ctx.response().setStatusCode(503);
          ctx.json(new JsonObject().put("status", "failed").put("reason",
              "a shard could not catch up after the restart; the server's log says why"));
          return;
        }
        ctx.json(new JsonObject().put("status", "ready").put("rules", rules.version())
            .put("queued", engine.queuedEvents()).put("recovering", !recovered.isDone()));
      }
    });
    SegmentParser parser = new SegmentParser(limits(config), config.consentCategories().isBlank()
        ? ConsentCategories.defaults() : ConsentCategories.parse(config.consentCategories()),
        config.honourPrivacySignals());
    SegmentIngestRoutes.create(engine, credentials, parser, clock).mount(router);
    stream.mount(router);
    visitors.mount(router);
    CustomerAdminRoutes.create(engine, credentials).mount(router);
    Consumer<Erasure> forgetInAdapters = erasure -> {
      // what the adapters still hold in memory about the customer goes too
      stream.forget(erasure.engagementIds());
      decisions.forget(java.util.Set.of(erasure.customerId()), erasure.engagementIds());
      visitors.disconnect(erasure.anonymousIds());
      if (webhooks != null) {
        webhooks.forget(erasure.engagementIds());
      }
    };
    DataSubjectRoutes.create(engine, credentials, clock, forgetInAdapters).mount(router);
    VisitorPrivacyRoutes.create(engine, visitorTokens, config.consentDefault(), clock, forgetInAdapters)
        .mount(router);
    PreferenceCentreRoutes.create(privacyTexts, origins.frameAncestors()).mount(router);
    AgentContextRoutes.create(engine, credentials).mount(router);
    InteractionRoutes.create(engine, credentials, clock).mount(router);
    QueueCapacityRoutes.create(engine, credentials, config.policy(), clock).mount(router);
    OutcomeRoutes.create(engine, credentials, visitorTokens, clock).mount(router);
    DeliveryAdminRoutes.create(store.outbox(), webhooks, credentials).mount(router);
    StatisticsRoutes.create(engine, credentials).mount(router);
    io.nudge.server.admin.EventExportRoutes.create(engine, credentials, clock).mount(router);
    RulesRoutes.create(deployment, credentials, clock, config.sessionTimeout()).mount(router);
    MetricsRoutes.create(metrics, credentials).mount(router);
    decisions.mount(router);
    io.nudge.engine.insight.Insights insights = io.nudge.engine.insight.Insights.create(store.decisions(),
        store.timeline(), store.events(), config.sessionTimeout());
    PerformanceRoutes.create(insights, credentials, clock).mount(router);
    JourneyPathRoutes.create(insights, credentials, clock).mount(router);
    DashboardRoutes.create().mount(router);
    SdkRoutes.create(config.consentDefault(), config.honourPrivacySignals(), privacyTexts).mount(router);
    if (config.demo()) {
      DemoRoutes.create(engine, visitorTokens, config.writeKeys().iterator().next()).mount(router);
    }
    // last, so the failure handlers of single routes (the visitor token's 413, say) come first
    router.route().failureHandler(Failures::handle);
    try {
      // a connection silent for a minute is closed; streams send a heartbeat every 15 s
      HttpServerOptions options = new HttpServerOptions().setIdleTimeout(60);
      config.tls().apply(options);
      HttpServer http = vertx.createHttpServer(options).requestHandler(router)
          .invalidRequestHandler(NudgeServer::invalidRequest)
          .listen(config.port(), config.host()).await(30, TimeUnit.SECONDS);
      return new NudgeServer(vertx, engine, store, http, webhooks, config, stopping, deployment, metrics);
    } catch (Exception e) {
      deployment.close();
      engine.close();
      store.close();
      metrics.close();
      vertx.close();
      String settings = config.tls().enabled() ? "NUDGE_HOST, NUDGE_PORT, NUDGE_TLS_CERT, NUDGE_TLS_KEY"
          : "NUDGE_HOST, NUDGE_PORT";
      throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + " (" + settings
          + "): " + e.getMessage(), e);
    }
  }

  static RetryPolicy retryPolicy(NudgeConfig config) {
    try {
      return new RetryPolicy(config.webhookRetryMin(), config.webhookRetryMax(), RetryPolicy.defaults().requestTimeout());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + " (NUDGE_WEBHOOK_RETRY_MIN, NUDGE_WEBHOOK_RETRY_MAX)");
    }
  }

  static WebhookSigner signer(String secret) {
    try {
      return WebhookSigner.fromSecret(secret);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * The devices (anonymousIds) whose browsers see an engagement: all of its customer's, or, while the
   * engine is still restoring at start-up (a timer that fell due while Nudge was down), the one the
   * engagement names.
   */
  private static java.util.Set<String> devicesOf(ShardedEngine engine, Engagement e) {
    if (engine != null) {
      return engine.anonymousIdsOf(e.customerId());
    }
    return e.anonymousId() == null ? java.util.Set.of() : java.util.Set.of(e.anonymousId());
  }

  static EngineSettings engineSettings(NudgeConfig config, InstantSource clock) {
    return EngineSettings.defaults()
        .withShards(config.shards())
        .withQueueCapacity(config.shardQueue())
        .withSessionTimeout(config.sessionTimeout())
        .withEventRetention(config.eventRetention())
        .withRetention(config.journeyRetention(), config.decisionRetention())
        .withPersonalData(config.personalData())
        .withConsentDefault(config.consentDefault())
        .withPolicy(config.policy())
        .withClock(clock);
  }

  static IngestLimits limits(NudgeConfig config) {
    return new IngestLimits(config.maxEventBytes(), config.maxRequestBytes(), config.maxBatchEvents(),
        config.maxNestingDepth(), config.maxStringLength(), config.maxProperties());
  }

  /** What the HTTP decoder refused before any route saw it: a line or headers too long, bad syntax. */
  static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof io.netty.handler.codec.TooLongFrameException && cause.getMessage() != null
        && cause.getMessage().contains("header")) {
      status = 431;
      message = "request headers are over the 8192-byte limit";
    } else if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
      status = 414;
      message = "request line is over the 4096-byte limit";
    } else {
      status = 400;
      message = "the request is not valid HTTP";
    }
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end(new JsonObject().put("error", message).encode())
        .onComplete(v -> request.connection().close());
  }

  /** A setting the http package refuses stops start-up with one line, like every other bad setting. */
  static <T> T setting(Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** The port the server listens on (useful when started on port 0). */
  public int port() {
    return http.actualPort();
  }

  public NudgeEngine engine() {
    return engine;
  }

  /** The configuration in force, with generated credentials filled in. */
  public NudgeConfig config() {
    return config;
  }

  /** Stops listening, finishes queued events, stops delivery. */
  @Override
  public void close() {
    stopping.set(true); // readiness answers 503 from now on
    try {
      http.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    deployment.close();
    engine.close(); // finishes what is queued; what it sends still reaches the outbox
    if (webhooks != null) {
      webhooks.close();
    }
    try {
      // also waits for outbox writes running on worker threads, before the store goes
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    store.close();
    metrics.close();
  }
}
