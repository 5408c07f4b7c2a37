package io.nudge.server.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhooks the Standard Webhooks way (https://www.standardwebhooks.com/): HMAC-SHA256 over
 * {@code <webhook-id>.<webhook-timestamp>.<body>} with the secret's bytes, sent as
 * {@code webhook-signature: v1,<base64>}. Any Standard Webhooks library verifies what this class signs.
 */
public final class WebhookSigner {

  public static final String SECRET_PREFIX = "whsec_";
  /** How far a timestamp may be from now, either way, for {@link #verify} to accept it. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

  /** Standard Webhooks: symmetric secrets are 24 to 64 random bytes. */
  static final int MIN_SECRET_BYTES = 24;
  static final int MAX_SECRET_BYTES = 64;

  private static final String ALGORITHM = "HmacSHA256";
  private static final String VERSION = "v1";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private WebhookSigner(byte[] key) {
    this.key = new SecretKeySpec(key, ALGORITHM);
  }

  /**
   * Reads a secret written as {@code whsec_<base64 of 24 to 64 bytes>}.
   *
   * @throws IllegalArgumentException naming the setting, never echoing the secret
   */
  public static WebhookSigner fromSecret(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("webhook secret is empty; set NUDGE_WEBHOOK_SECRET to whsec_ followed by"
          + " base64 of 24 random bytes or more");
    }
    if (!secret.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("webhook secret does not start with whsec_ (NUDGE_WEBHOOK_SECRET);"
          + " the Standard Webhooks form is whsec_ followed by base64 of 24 to 64 random bytes");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()).trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("webhook secret is not valid base64 after whsec_ (NUDGE_WEBHOOK_SECRET): "
          + e.getMessage().toLowerCase(java.util.Locale.ROOT), e);
    }
    if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
      throw new IllegalArgumentException("webhook secret is " + key.length + " bytes, outside the "
          + MIN_SECRET_BYTES + " to " + MAX_SECRET_BYTES + " bytes Standard Webhooks allows (NUDGE_WEBHOOK_SECRET)");
    }
    return new WebhookSigner(key);
  }

  /** A new random secret in the {@code whsec_} form: 24 bytes, the Standard Webhooks minimum. */
  public static String generateSecret() {
    byte[] bytes = new byte[MIN_SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
  }

  /** The {@code webhook-signature} header value for one attempt: {@code v1,<base64>}. */
  public String sign(String msgId, long timestampSeconds, String body) {
    return VERSION + "," + Base64.getEncoder().encodeToString(hmac(msgId, Long.toString(timestampSeconds), body));
  }

  /**
   * Checks a received webhook as a receiver should: the timestamp within {@link #TOLERANCE} of
   * {@code now}, and one of the space separated {@code v1} signatures equal, compared in constant time.
   *
   * @param msgId the {@code webhook-id} header
   * @param timestamp the {@code webhook-timestamp} header, unix seconds
   * @param body the raw body, exactly as received
   * @param signatureHeader the {@code webhook-signature} header
   */
  public boolean verify(String msgId, String timestamp, String body, String signatureHeader, Instant now) {
    if (msgId == null || timestamp == null || body == null || signatureHeader == null) {
      return false;
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - seconds) > TOLERANCE.toSeconds()) {
      return false;
    }
    byte[] expected = hmac(msgId, Long.toString(seconds), body);
    boolean matched = false;
    for (String candidate : signatureHeader.trim().split(" +")) {
      int comma = candidate.indexOf(',');
      if (comma < 0 || !VERSION.equals(candidate.substring(0, comma))) {
        continue; // another scheme (v1a) or noise; a receiver ignores what it does not know
      }
      byte[] given;
      try {
        given = Base64.getDecoder().decode(candidate.substring(comma + 1));
      } catch (IllegalArgumentException e) {
        continue;
      }
      matched |= MessageDigest.isEqual(expected, given);
    }
    return matched;
  }

  /** {@link #verify(String, String, String, String, Instant)} against the current time. */
  public boolean verify(String msgId, String timestamp, String body, String signatureHeader) {
    return verify(msgId, timestamp, body, signatureHeader, Instant.now());
  }

  private byte[] hmac(String msgId, String timestamp, String body) {
    try {
      // A Mac is not thread-safe and cheap to create; deliveries sign from several threads.
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal((msgId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSigner[whsec_***]";
  }
}
