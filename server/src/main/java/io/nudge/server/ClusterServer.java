package io.nudge.server;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.OverloadedException;
import io.nudge.engine.RulePack;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.Outbox;
import io.nudge.engine.store.rocks.RocksStore;
import io.nudge.kafka.ClusterNode;
import io.nudge.kafka.ClusterSettings;
import io.nudge.kafka.ClusterState;
import io.nudge.kafka.DecisionFeed;
import io.nudge.server.config.NudgeConfig;
import io.nudge.server.config.Secrets;
import io.nudge.server.delivery.DeliveryLimits;
import io.nudge.server.delivery.EngagementStream;
import io.nudge.server.delivery.StreamSettings;
import io.nudge.server.delivery.VisitorStream;
import io.nudge.server.delivery.VisitorTokens;
import io.nudge.server.delivery.WebhookDelivery;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.nudge.server.http.RateLimits;
import io.nudge.server.http.SiteOrigins;
import io.nudge.server.ingest.ConsentCategories;
import io.nudge.server.ingest.SegmentIngestRoutes;
import io.nudge.server.ingest.SegmentParser;
import io.nudge.server.metrics.MetricsRoutes;
import io.nudge.server.metrics.NudgeMetrics;
import io.nudge.server.privacy.PrivacyTexts;
import io.nudge.server.rules.RuleDeployment;
import io.nudge.server.rules.RulesRoutes;
import io.nudge.server.sdk.SdkRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.PrintStream;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node of a Nudge cluster on Kafka ({@code NUDGE_KAFKA_BOOTSTRAP} set): the HTTP adapters of its
 * roles around a {@link ClusterNode}. An ingest node takes Segment calls and serves the browser SDK; an
 * engine node runs shards and takes rule deployments; a delivery node sends webhooks and serves the
 * engagement streams. Every node answers {@code /health/*} and {@code GET /v1/cluster}.
 *
 * <p>Every node of a cluster needs the same secrets (write keys, tokens, webhook secret), set through
 * the environment or the config file: a node generates only what it keeps for itself.
 */
public final class ClusterServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterServer.class);
  private final Vertx vertx;
  private final HttpServer http;
  private final ClusterNode node;
  private final RocksStore store;
  private final RocksStore delivered;
  private final RuleDeployment deployment;
  private final DecisionFeed feed;
  private final WebhookDelivery webhooks;
  private final NudgeConfig config;
  private final AtomicBoolean stopping;
  private final NudgeMetrics metrics;

  private ClusterServer(Vertx vertx, HttpServer http, ClusterNode node, RocksStore store, RocksStore delivered,
      RuleDeployment deployment, DecisionFeed feed, WebhookDelivery webhooks, NudgeConfig config,
      AtomicBoolean stopping, NudgeMetrics metrics) {
    this.metrics = metrics;
    this.delivered = delivered;
    this.vertx = vertx;
    this.http = http;
    this.node = node;
    this.store = store;
    this.deployment = deployment;
    this.feed = feed;
    this.webhooks = webhooks;
    this.config = config;
    this.stopping = stopping;
  }

  /** Joins the cluster and listens, signing visitor tokens with this node's own key; for tests. */
  public static ClusterServer start(NudgeConfig given, ClusterSettings cluster, InstantSource clock,
      PrintStream console) {
    return start(given, cluster, java.util.Optional.empty(), clock, console);
  }

  /**
   * Joins the cluster and listens; returns once the port is open.
   *
   * @param visitorKey the cluster's key for visitor tokens ({@code NUDGE_VISITOR_KEY}); without it this
   *     node signs with its own, and a visitor's token is good on this node only
   */
  public static ClusterServer start(NudgeConfig given, ClusterSettings cluster, java.util.Optional<byte[]> visitorKey,
      InstantSource clock, PrintStream console) {
    Secrets secrets = Secrets.resolve(given, console);
    if (visitorKey.isEmpty()) {
      LOG.warn("NUDGE_VISITOR_KEY is not set: this node signs visitor tokens with its own key, so a visitor's "
          + "token is good on this node only; give every node of the cluster the same key");
    }
    byte[] visitorSecret = visitorKey.orElseGet(secrets::visitorKey);
    NudgeConfig config = secrets.config();
    RulePack rules = RulePack.load(config.rulesDir());
    Credentials credentials = new Credentials(config.writeKeys(), config.integrationToken(), config.adminToken());
    SiteOrigins origins = NudgeServer.setting(() -> SiteOrigins.create(config.allowedOrigins()));
    RateLimits rateLimits = NudgeServer.setting(() -> RateLimits.create(credentials, config.rateLimitPerKey(),
        config.rateLimitPerAddress(), config.trustedProxies()));
    PrivacyTexts privacyTexts = NudgeServer.setting(() -> PrivacyTexts.load(config.privacyTexts()));
    AtomicBoolean stopping = new AtomicBoolean();
    // the engine's decisions and timelines; the delivery role keeps what it streamed and sends apart,
    // so an engagement this node decided is still streamed and sent by it
    RocksStore store = RocksStore.open(config.dataDir().resolve("store"), clock);
    RocksStore delivered = cluster.has("delivery") ? RocksStore.open(config.dataDir().resolve("delivery"), clock) : null;
    Vertx vertx = Vertx.vertx();
    NudgeMetrics metrics = NudgeMetrics.create();
    ClusterNode node = null;
    RuleDeployment deployment = null;
    DecisionFeed feed = null;
    WebhookDelivery webhooks = null;
    try {
      // the engine counts its decisions in the metrics itself
      node = ClusterNode.start(cluster, NudgeServer.engineSettings(config, clock).withMetrics(metrics), rules, store,
          d -> { });
      node.engine().ifPresent(metrics::bindEngine);
      Router router = Router.router(vertx);
      router.errorHandler(400, ctx -> ApiError.badRequest("the request's path or query is malformed").send(ctx));
      router.errorHandler(405, ctx -> ApiError.methodNotAllowed(ctx.request().method() + " is not allowed on "
          + ctx.request().path()).send(ctx));
      router.errorHandler(404, ctx -> ApiError.notFound("no route for " + ctx.request().method() + " "
          + ctx.request().path() + " on a node with roles " + String.join(",", new java.util.TreeSet<>(cluster.roles())))
          .send(ctx));
      router.route("/v1/*").handler(origins);
      router.route("/v1/*").handler(rateLimits);
      ClusterNode joined = node;
      DecisionFeed[] feeds = new DecisionFeed[1]; // started last, read by the readiness check
      router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
      router.get("/health/ready").handler(ctx -> {
        java.util.Optional<String> failed = joined.failure().or(() -> feeds[0] == null ? java.util.Optional.empty()
            : feeds[0].failure());
        JsonObject status = new JsonObject().put("status", stopping.get() ? "stopping" : failed.isPresent() ? "failed"
            : "ready")
            .put("node", cluster.nodeId()).put("roles", new JsonArray(List.copyOf(new java.util.TreeSet<>(cluster.roles()))))
            .put("partitions", new JsonArray(List.copyOf(new java.util.TreeSet<>(joined.ownedPartitions()))));
        joined.engine().ifPresent(e -> status.put("rules", e.rules().version()).put("queued", e.queuedEvents()));
        failed.ifPresent(f -> status.put("failure", f));
        ctx.response().setStatusCode(stopping.get() || failed.isPresent() ? 503 : 200);
        ctx.json(status);
      });
      MetricsRoutes.create(metrics, credentials).mount(router);
      router.get("/v1/cluster").handler(ctx -> {
        credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
        ctx.json(clusterStatus(joined.state(), clock.millis()));
      });
      if (!cluster.has("delivery")) {
        joined.state().onErasure(notice -> forgetErased(store, notice));
      }
      VisitorTokens visitorTokens = VisitorTokens.create(visitorSecret);
      // a customer's data is on the node owning their partition: there first
      CustomerForwarding.create(vertx, node, clock).mount(router);
      if (cluster.has("ingest")) {
        SegmentParser parser = new SegmentParser(NudgeServer.limits(config), config.consentCategories().isBlank()
            ? ConsentCategories.defaults() : ConsentCategories.parse(config.consentCategories()),
            config.honourPrivacySignals());
        java.util.function.Function<List<io.nudge.engine.Event>, java.util.concurrent.CompletionStage<Void>> toKafka =
            events -> joined.ingest(events, clock.millis()).exceptionally(e -> {
              throw new OverloadedException("the cluster's Kafka did not take the events (" + rootMessage(e)
                  + "); nothing was accepted, retry later", 1);
            });
        SegmentIngestRoutes.into(toKafka, credentials, parser, clock).mount(router);
        io.nudge.server.contactcentre.InteractionRoutes.into(toKafka, credentials, clock).mount(router);
        SdkRoutes.create(config.consentDefault(), config.honourPrivacySignals(), privacyTexts).mount(router);
      }
      if (cluster.has("engine")) {
        ShardedEngine engine = node.engine().orElseThrow();
        deployment = RuleDeployment.watch(config.rulesDir(), engine, clock,
            config.dataDir().resolve("rules-history.json"), pack -> deployEverywhere(joined, engine, pack));
        // the folder and the history follow the cluster's pack, whichever node deployed it
        RuleDeployment adopting = deployment;
        adopting.adopt(engine.rules(), "cluster");
        joined.state().onRules(pack -> adopting.adopt(pack, "cluster"));
        RulesRoutes.create(deployment, credentials, clock, config.sessionTimeout()).mount(router);
        io.nudge.server.admin.CustomerAdminRoutes.create(engine, credentials).mount(router);
        // every node removes its own copies: decisions and timelines of partitions it owned before, what it
        // streamed and sends; the notice reaches this node too
        io.nudge.server.admin.DataSubjectRoutes.create(engine, credentials, clock,
            erasure -> joined.state().announceErasure(erasure)).mount(router);
        io.nudge.server.contactcentre.AgentContextRoutes.create(engine, credentials).mount(router);
        io.nudge.server.privacy.VisitorPrivacyRoutes.create(engine, visitorTokens, config.consentDefault(), clock,
            erasure -> joined.state().announceErasure(erasure)).mount(router);
      }
      if (cluster.has("delivery")) {
        VisitorStream visitors = VisitorStream.create(vertx, credentials, visitorTokens);
        EngagementStream stream = EngagementStream.create(vertx, credentials, StreamSettings.defaults(),
            delivered.decisions().recentlySent(StreamSettings.defaults().replayCapacity()));
        stream.mount(router);
        visitors.mount(router);
        DoneOutbox outbox = new DoneOutbox(delivered.outbox());
        if (config.webhookUrl() != null) {
          webhooks = WebhookDelivery.create(vertx, config.webhookUrl().toString(), NudgeServer.signer(config.webhookSecret()),
              NudgeServer.retryPolicy(config), DeliveryLimits.defaults(), outbox, new WebhookDelivery.Expiry(config.webhookExpiry(),
                  Duration.ofSeconds(30), (e, why) -> LOG.warn("gave up delivering engagement {}: {}", e.id(), why),
                  clock));
        }
        if (webhooks != null) {
          metrics.bindWebhooks(webhooks);
        }
        io.nudge.server.delivery.OutcomeRoutes.into(outcomes(joined, delivered, clock), credentials, visitorTokens,
            clock).mount(router);
        WebhookDelivery sender = webhooks;
        joined.state().onErasure(notice -> {
          forgetErased(store, notice);
          forgetErased(delivered, notice);
          stream.forget(notice.engagementIds());
          visitors.disconnect(notice.anonymousIds());
          if (sender != null) {
            sender.forget(notice.engagementIds());
          }
        });
        feed = DecisionFeed.start(cluster, d -> {
          if (delivered.decisions().contains(d.engagement().customerId(), d.engagement().id())) {
            return; // decided again after a node was lost: the streams had it already
          }
          delivered.decisions().append(d);
          if (d.sent()) {
            Engagement e = d.engagement();
            stream.publish(e);
            java.util.Set<String> devices = joined.state().registry().anonymousIdsOf(e.customerId());
            visitors.publish(e, devices.isEmpty() && e.anonymousId() != null ? java.util.Set.of(e.anonymousId())
                : devices);
          }
        }, sender == null ? null : (d, done) -> {
          outbox.add(d.engagement(), done); // on disk before it is tried: a restart of this node retries it
          sender.deliver(d.engagement());
        });
        feeds[0] = feed;
      }
      router.route().failureHandler(Failures::handle);
      HttpServerOptions options = new HttpServerOptions().setIdleTimeout(60);
      config.tls().apply(options);
      HttpServer http = vertx.createHttpServer(options).requestHandler(router)
          .invalidRequestHandler(NudgeServer::invalidRequest)
          .listen(config.port(), config.host()).await(30, TimeUnit.SECONDS);
      String host = config.host().equals("0.0.0.0") ? java.net.InetAddress.getLocalHost().getHostName() : config.host();
      node.advertise(config.tls().scheme() + "://" + host + ":" + http.actualPort());
      return new ClusterServer(vertx, http, node, store, delivered, deployment, feed, webhooks, config, stopping,
          metrics);
    } catch (Exception | Error e) {
      if (deployment != null) {
        deployment.close();
      }
      if (feed != null) {
        feed.close();
      }
      if (node != null) {
        node.close();
      }
      vertx.close();
      store.close();
      if (delivered != null) {
        delivered.close();
      }
      metrics.close();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof Error r) {
        throw r;
      }
      throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
          + " (NUDGE_HOST, NUDGE_PORT): " + e.getMessage(), e);
    }
  }

  /**
   * Outcomes taken by a delivery node: checked against the engagements it streamed, then sent through
   * the ingest topic to the engine node of the customer, where the caps and cool-downs read them and
   * the rules see them.
   */
  private static io.nudge.server.delivery.OutcomeRoutes.Recorder outcomes(ClusterNode node, RocksStore delivered,
      InstantSource clock) {
    Object lock = new Object();
    return new io.nudge.server.delivery.OutcomeRoutes.Recorder() {
      @Override
      public CompletableFuture<Void> record(String engagementId, String outcome, java.time.Instant at) {
        io.nudge.engine.Checks.checkArgument(io.nudge.engine.decision.Outcomes.ALL.contains(outcome),
            "outcome \"%s\" is not one of shown, accepted, declined, ignored, expired, converted", outcome);
        Decision decision = delivered.decisions().find(engagementId)
            .orElseThrow(() -> new io.nudge.engine.NotFoundException("no engagement has id \"" + engagementId + "\""));
        synchronized (lock) {
          if (!io.nudge.engine.decision.Outcomes.mayFollow(delivered.decisions().outcomes(engagementId), outcome,
              engagementId)) {
            return CompletableFuture.completedFuture(null);
          }
          CompletableFuture<Void> sent = node.ingest(List.of(ShardedEngine.outcomeEvent(decision.engagement(), outcome,
              at)), clock.millis());
          delivered.decisions().appendOutcome(engagementId, new io.nudge.engine.decision.OutcomeRecord(outcome, at));
          return sent;
        }
      }

      @Override
      public boolean sentTo(String anonymousId, String engagementId) {
        return delivered.decisions().find(engagementId).filter(Decision::sent).map(Decision::engagement)
            .filter(e -> anonymousId.equals(e.anonymousId())
                || node.state().registry().customerOf(anonymousId).filter(e.customerId()::equals).isPresent())
            .isPresent();
      }
    };
  }

  /** Removes what a node's own store keeps of an erased customer (nothing, mostly: it was erased there). */
  private static void forgetErased(RocksStore store, ClusterState.ErasureNotice notice) {
    try {
      for (String c : notice.customerIds()) {
        store.decisions().erase(c);
        store.timeline().erase(c);
      }
      store.outbox().erase(notice.customerIds());
    } catch (RuntimeException e) {
      LOG.error("removing an erased customer's copies from this node's store failed; the notice is read again "
          + "at the next start", e);
    }
  }

  /** Writes the pack to the rules topic, and completes once this node runs it (read back from there). */
  private static CompletableFuture<Void> deployEverywhere(ClusterNode node, ShardedEngine engine, RulePack pack) {
    return node.deploy(pack).thenCompose(v -> CompletableFuture.runAsync(() -> {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!engine.rules().version().equals(pack.version())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("rules " + pack.version() + " are on the rules topic but this node did "
              + "not run them within 60 s; it runs " + engine.rules().version());
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }));
  }

  private static JsonObject clusterStatus(ClusterState state, long now) {
    JsonArray nodes = new JsonArray();
    java.util.Set<String> versions = new java.util.TreeSet<>();
    for (ClusterState.NodeStatus s : new java.util.TreeMap<>(state.nodes()).values()) {
      boolean alive = now - s.at() < 10_000;
      nodes.add(new JsonObject().put("node", s.node()).put("roles", new JsonArray(List.copyOf(new java.util.TreeSet<>(
          s.roles())))).put("rules", s.rules()).put("partitions", new JsonArray(List.copyOf(s.partitions())))
          .put("reportedAt", java.time.Instant.ofEpochMilli(s.at()).toString()).put("alive", alive));
      if (alive && !s.rules().isEmpty()) {
        versions.add(s.rules());
      }
    }
    return new JsonObject().put("nodes", nodes).put("rules", new JsonArray(List.copyOf(versions)))
        .put("rulesTopic", state.rules().map(RulePack::version).orElse(null));
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * The node's outbox, telling the decision feed when an engagement is done with (delivered or given
   * up), so its offset may be committed.
   */
  private static final class DoneOutbox implements Outbox {
    private final Outbox inner;
    private final Map<String, Runnable> waiting = new ConcurrentHashMap<>();

    DoneOutbox(Outbox inner) {
      this.inner = inner;
    }

    void add(Engagement e, Runnable done) {
      waiting.put(e.id(), done);
      inner.add(e);
    }

    private void done(String engagementId) {
      Runnable r = waiting.remove(engagementId);
      if (r != null) {
        r.run();
      }
    }

    @Override
    public void add(Engagement engagement) {
      inner.add(engagement);
    }

    @Override
    public List<Engagement> pending() {
      return inner.pending();
    }

    @Override
    public void delivered(String engagementId) {
      inner.delivered(engagementId);
      done(engagementId);
    }

    @Override
    public void deadLetter(Engagement engagement, String reason, java.time.Instant at) {
      inner.deadLetter(engagement, reason, at);
      done(engagement.id());
    }

    @Override
    public List<DeadLetter> deadLetters() {
      return inner.deadLetters();
    }

    @Override
    public Optional<Engagement> revive(String engagementId) {
      return inner.revive(engagementId);
    }

    @Override
    public int erase(java.util.Collection<String> customerIds) {
      return inner.erase(customerIds);
    }
  }

  public int port() {
    return http.actualPort();
  }

  public ClusterNode node() {
    return node;
  }

  public NudgeConfig config() {
    return config;
  }

  /** Stops listening, gives the node's partitions up (saving their journeys), stops. */
  @Override
  public void close() {
    stopping.set(true);
    try {
      http.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    if (deployment != null) {
      deployment.close();
    }
    if (feed != null) {
      feed.close();
    }
    node.close();
    if (webhooks != null) {
      webhooks.close();
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    store.close();
    if (delivered != null) {
      delivered.close();
    }
    metrics.close();
  }
}
