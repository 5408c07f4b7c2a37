package io.nudge.server.privacy;

import io.nudge.server.delivery.VisitorTokens;
import io.nudge.server.http.ApiError;

/**
 * A browser's proof that it is the visitor it names: {@code Authorization: Visitor <anonymousId>:<token>},
 * where the token is the one {@code POST /v1/visitor/token} gave for that anonymousId. The token is the
 * server's HMAC of the anonymousId, so a visitor holding their own cannot make another's.
 *
 * @param anonymousId the visitor's anonymousId, checked against the token
 */
public record VisitorCredential(String anonymousId) {
  static final String SCHEME = "Visitor ";

  /**
   * Reads and checks the {@code Authorization} header.
   *
   * @throws ApiError 401 when the header is missing or not a visitor credential, 403 when the token is
   *     not the anonymousId's
   */
  public static VisitorCredential require(String authorization, VisitorTokens tokens) {
    if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw ApiError.unauthorized("missing visitor credential: send Authorization: Visitor <anonymousId>:<token>,"
          + " with the token from POST /v1/visitor/token");
    }
    String value = authorization.substring(SCHEME.length()).trim();
    int colon = value.lastIndexOf(':'); // a token is base64url, without ':'; an anonymousId may hold one
    if (colon <= 0 || colon == value.length() - 1) {
      throw ApiError.unauthorized("visitor credential is not <anonymousId>:<token>");
    }
    String anonymousId = value.substring(0, colon);
    if (!tokens.matches(anonymousId, value.substring(colon + 1))) {
      throw ApiError.forbidden("visitor token does not match anonymousId");
    }
    return new VisitorCredential(anonymousId);
  }
}
