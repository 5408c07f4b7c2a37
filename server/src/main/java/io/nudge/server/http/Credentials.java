package io.nudge.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The three credential scopes, which never overlap: write keys (ingestion only, safe in a web page),
 * the integration token (chat system and contact centre) and the admin token. All comparisons are
 * constant-time.
 */
public final class Credentials {

  /** Who a bearer token belongs to. */
  public enum Scope { INTEGRATION, ADMIN }

  private final List<byte[]> writeKeys;
  private final byte[] integrationToken;
  private final byte[] adminToken;

  public Credentials(Set<String> writeKeys, String integrationToken, String adminToken) {
    this.writeKeys = writeKeys.stream().map(Credentials::bytes).toList();
    this.integrationToken = bytes(integrationToken);
    this.adminToken = bytes(adminToken);
  }

  /** True when {@code key} is one of the configured write keys. */
  public boolean isWriteKey(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    byte[] given = bytes(key);
    boolean found = false;
    for (byte[] k : writeKeys) {
      found |= MessageDigest.isEqual(k, given);
    }
    return found;
  }

  /** The scope of a bearer token, or null when it is no token of ours. */
  public Scope scopeOf(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    byte[] given = bytes(token);
    if (MessageDigest.isEqual(adminToken, given)) {
      return Scope.ADMIN;
    }
    if (MessageDigest.isEqual(integrationToken, given)) {
      return Scope.INTEGRATION;
    }
    return null;
  }

  /**
   * Checks the request's {@code Authorization: Bearer} header against the scope a route needs.
   *
   * @throws ApiError 401 when missing or unknown, 403 when it is a token of the other scope or a write key
   */
  public void require(Scope needed, String authorizationHeader) {
    String token = bearer(authorizationHeader);
    if (token == null) {
      throw ApiError.unauthorized("missing bearer token: send Authorization: Bearer <"
          + needed.name().toLowerCase(java.util.Locale.ROOT) + " token>");
    }
    Scope scope = scopeOf(token);
    if (scope == needed) {
      return;
    }
    if (scope != null || isWriteKey(token)) {
      throw ApiError.forbidden("this endpoint needs the "
          + needed.name().toLowerCase(java.util.Locale.ROOT) + " token; the token sent has another scope");
    }
    throw ApiError.unauthorized("unknown bearer token");
  }

  /** The token of an {@code Authorization: Bearer ...} header, or null. */
  public static String bearer(String header) {
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** The username of an {@code Authorization: Basic ...} header, or null when it is not Basic or malformed. */
  public static String basicUser(String header) {
    if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? decoded : decoded.substring(0, colon);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
