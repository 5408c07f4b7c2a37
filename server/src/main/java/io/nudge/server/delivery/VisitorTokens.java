package io.nudge.server.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Capability tokens for the visitor stream: {@code base64url(HMAC-SHA256(secret, anonymousId))}. Only the
 * server can compute one, so a visitor holding the token for its own anonymousId cannot derive another's.
 * Tokens are stateless and do not expire; rotating the secret revokes them all.
 */
public final class VisitorTokens {

  /** 192 bits: out of reach of guessing, and what the server generates when none is configured. */
  public static final int MIN_SECRET_BYTES = 24;

  private static final String ALGORITHM = "HmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  /**
   * @param secret at least {@value #MIN_SECRET_BYTES} random bytes; copied
   * @throws IllegalArgumentException when shorter
   */
  private VisitorTokens(byte[] secret) {
    if (secret == null || secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("visitor token key is " + (secret == null ? 0 : secret.length)
          + " bytes, under the " + MIN_SECRET_BYTES
          + "-byte minimum (visitorKey in NUDGE_DATA_DIR/secrets.properties)");
    }
    this.key = new SecretKeySpec(Arrays.copyOf(secret, secret.length), ALGORITHM);
  }

  /**
   * @param secret at least {@value #MIN_SECRET_BYTES} random bytes; copied
   * @throws IllegalArgumentException when shorter
   */
  public static VisitorTokens create(byte[] secret) {
    return new VisitorTokens(secret);
  }

  /** {@value #MIN_SECRET_BYTES} random bytes, for a server that has no configured secret. */
  public static byte[] generateSecret() {
    byte[] secret = new byte[MIN_SECRET_BYTES];
    RANDOM.nextBytes(secret);
    return secret;
  }

  /** The token that opens {@code anonymousId}'s stream. */
  public String tokenFor(String anonymousId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(anonymousId));
  }

  /** True when {@code token} is {@code anonymousId}'s, compared in constant time. */
  public boolean matches(String anonymousId, String token) {
    if (anonymousId == null || token == null) {
      return false;
    }
    byte[] expected = tokenFor(anonymousId).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] hmac(String anonymousId) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM); // not thread-safe, cheap: one per call
      mac.init(key);
      return mac.doFinal(anonymousId.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "VisitorTokens[***]";
  }
}
