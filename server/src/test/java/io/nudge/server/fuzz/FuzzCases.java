package io.nudge.server.fuzz;

import io.nudge.server.fuzz.FuzzCase.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Makes fuzz cases from a weighted mix of strategies: {@link IngestCases} (broken bodies and write keys),
 * {@link LimitCases} (sizes, nesting, content types and encodings) and {@link AdminCases} (the admin API,
 * odd paths, raw HTTP). Each case is made from its own {@link Random}, derived from
 * the run's seed and the case number, so any one case can be made again on its own.
 *
 * <p>Where the documented API (docs/api.md) pins the answer, the case expects that exact status;
 * where it does not (a random mutation may even leave the input valid), any non-5xx will do and a
 * 2xx is checked by {@link Invariants}' oracle.
 */
final class FuzzCases {
  static final int MAX_REQUEST_BYTES = 512_000;
  static final int MAX_EVENT_BYTES = 32_768;
  static final int MAX_DEPTH = 20;
  static final int MAX_STRING = 8_192;
  static final int MAX_BATCH = 2_500;
  static final int MAX_PROPERTIES = 200;

  private final String writeKey;
  private final String adminToken;
  private final String integrationToken;

  FuzzCases(String writeKey, String adminToken, String integrationToken) {
    this.writeKey = writeKey;
    this.adminToken = adminToken;
    this.integrationToken = integrationToken;
  }

  /** Strategies and their weights: how often each is picked. */
  private enum Strategy {
    VALID(12), HAVOC(18), SWAP_TYPE(14), TRUNCATED(6), NOT_AN_OBJECT(3), DUPLICATE_KEY(5), INVALID_UTF8(5),
    DEEP_NESTING(4), HUGE(3), CONTENT_TYPE(5), CONTENT_ENCODING(7), EMPTY_BODY(2), RANDOM_BYTES(4),
    INGEST_AUTH(5), INGEST_HEADERS(4), CONSENT_PUT(8), ADMIN_GET(4), ADMIN_AUTH(3), PATHS(6), RAW(4);

    final int weight;

    Strategy(int weight) {
      this.weight = weight;
    }
  }

  private static final int TOTAL_WEIGHT = Arrays.stream(Strategy.values()).mapToInt(s -> s.weight).sum();

  /** The case numbered {@code n} of the run with this seed. */
  FuzzCase make(long seed, int n) {
    Random r = new Random(mix(seed, n));
    int pick = r.nextInt(TOTAL_WEIGHT);
    Strategy chosen = Strategy.VALID;
    for (Strategy s : Strategy.values()) {
      if (pick < s.weight) {
        chosen = s;
        break;
      }
      pick -= s.weight;
    }
    String tag = "c" + n;
    SegmentPayloads payloads = new SegmentPayloads(r, writeKey);
    IngestCases ingest = new IngestCases(r, tag, payloads, writeKey, adminToken);
    LimitCases limits = new LimitCases(r, tag, payloads, ingest, writeKey);
    AdminCases admin = new AdminCases(r, tag, payloads, writeKey, adminToken, integrationToken);
    return switch (chosen) {
      case VALID -> ingest.validCase();
      case HAVOC -> ingest.havoc();
      case SWAP_TYPE -> ingest.swapType();
      case TRUNCATED -> ingest.truncated();
      case NOT_AN_OBJECT -> ingest.notAnObject();
      case DUPLICATE_KEY -> ingest.duplicateKey();
      case INVALID_UTF8 -> ingest.invalidUtf8();
      case EMPTY_BODY -> ingest.emptyBody();
      case RANDOM_BYTES -> ingest.randomBytes();
      case INGEST_AUTH -> ingest.ingestAuth();
      case INGEST_HEADERS -> ingest.ingestHeaders();
      case DEEP_NESTING -> limits.deepNesting();
      case HUGE -> limits.huge();
      case CONTENT_TYPE -> limits.contentType();
      case CONTENT_ENCODING -> limits.contentEncoding();
      case CONSENT_PUT -> admin.consentPut();
      case ADMIN_GET -> admin.adminGet();
      case ADMIN_AUTH -> admin.adminAuth();
      case PATHS -> admin.paths();
      case RAW -> admin.raw();
    };
  }

  static long mix(long seed, int n) {
    long z = seed + 0x9E3779B97F4A7C15L * (n + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static String basic(String user) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
  }

  static List<Header> headers(String... namesAndValues) {
    List<Header> h = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      h.add(new Header(namesAndValues[i], namesAndValues[i + 1]));
    }
    return h;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
