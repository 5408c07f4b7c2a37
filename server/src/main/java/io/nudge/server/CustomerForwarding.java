package io.nudge.server;

import io.nudge.engine.shard.ShardedEngine;
import io.nudge.kafka.ClusterNode;
import io.nudge.kafka.ClusterState;
import io.nudge.server.http.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * On a cluster node, the customer routes ({@code /v1/customers/{id}...}) of a customer whose partition
 * another node owns are forwarded to that node, found in the nodes' status: the journey, consent,
 * decisions, export and erasure of a customer are on the node that owns their partition. The answer
 * is passed back as it came. A request already forwarded once is not forwarded again (the partition
 * moved meanwhile): it gets 503 and {@code Retry-After}, as does one whose partition has no owner now.
 */
final class CustomerForwarding {
  static final String FORWARDED = "X-Nudge-Forwarded-By";
  private static final Set<String> HEADERS = Set.of("authorization", "content-type", "accept", "content-encoding");
  /** A node is taken as gone when its status is older than this. */
  private static final long ALIVE_MILLIS = 10_000;

  private final ClusterNode node;
  private final HttpClient client;
  private final java.time.InstantSource clock;

  private CustomerForwarding(ClusterNode node, HttpClient client, java.time.InstantSource clock) {
    this.node = node;
    this.client = client;
    this.clock = clock;
  }

  static CustomerForwarding create(Vertx vertx, ClusterNode node, java.time.InstantSource clock) {
    return new CustomerForwarding(node, vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout(5_000)), clock);
  }

  /** Before the customer routes of this node, if it has any. */
  void mount(Router router) {
    router.routeWithRegex("/v1/customers/([^/]+)(/.*)?").handler(ctx -> route(ctx,
        java.net.URLDecoder.decode(ctx.pathParam("param0"), java.nio.charset.StandardCharsets.UTF_8)));
    // a visitor's own privacy routes name them by the anonymousId of their credential
    router.routeWithRegex("/v1/visitor/(data|consent|forget)").handler(ctx -> {
      String anonymousId = visitorOf(ctx.request().getHeader("Authorization"));
      if (anonymousId == null) {
        ctx.next(); // the route answers 401 for the missing credential
      } else {
        route(ctx, anonymousId);
      }
    });
  }

  /** The anonymousId of an {@code Authorization: Visitor <anonymousId>:<token>} header, unchecked; or null. */
  private static String visitorOf(String authorization) {
    String scheme = "Visitor ";
    if (authorization == null || !authorization.regionMatches(true, 0, scheme, 0, scheme.length())) {
      return null;
    }
    String value = authorization.substring(scheme.length()).trim();
    int colon = value.lastIndexOf(':');
    return colon <= 0 ? null : value.substring(0, colon);
  }

  private void route(RoutingContext ctx, String ref) {
    ClusterState state = node.state();
    String customer = state.registry().customerOf(ref).orElse(ref);
    int partition = ShardedEngine.shardIndex(customer, node.partitions());
    Optional<ShardedEngine> engine = node.engine();
    if (engine.isPresent() && engine.get().owns(partition)) {
      ctx.next();
      return;
    }
    if (ctx.request().getHeader(FORWARDED) != null) {
      ApiError.unavailable("partition " + partition + " of this customer moved while the request was forwarded; "
          + "retry", 1).send(ctx);
      return;
    }
    long now = clock.millis();
    Optional<ClusterState.NodeStatus> owner = state.nodes().values().stream()
        .filter(s -> now - s.at() < ALIVE_MILLIS && s.partitions().contains(partition) && !s.url().isEmpty()
            && !s.node().equals(node.settings().nodeId()))
        .findFirst();
    if (owner.isEmpty()) {
      ApiError.unavailable("no node owns partition " + partition + " of this customer now (it is moving between "
          + "nodes); retry shortly", 2).send(ctx);
      return;
    }
    forward(ctx, owner.get());
  }

  private void forward(RoutingContext ctx, ClusterState.NodeStatus owner) {
    java.net.URI target = java.net.URI.create(owner.url());
    RequestOptions options = new RequestOptions().setMethod(ctx.request().method()).setHost(target.getHost())
        .setPort(target.getPort()).setSsl("https".equals(target.getScheme())).setURI(ctx.request().uri());
    ctx.request().headers().forEach((name, value) -> {
      if (HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        options.addHeader(name, value);
      }
    });
    options.addHeader(FORWARDED, node.settings().nodeId());
    ctx.request().body()
        .compose(body -> client.request(options).compose(request -> request.send(body)))
        .compose(response -> response.body().map(body -> {
          ctx.response().setStatusCode(response.statusCode());
          response.headers().forEach((name, value) -> {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.equals("content-type") || lower.equals("retry-after")) {
              ctx.response().putHeader(name, value);
            }
          });
          ctx.response().end(body);
          return null;
        }))
        .onFailure(e -> {
          if (!ctx.response().ended()) {
            ApiError.unavailable("node " + owner.node() + ", which owns this customer, did not answer (" + e.getMessage()
                + "); retry", 2).send(ctx);
          }
        });
  }
}
