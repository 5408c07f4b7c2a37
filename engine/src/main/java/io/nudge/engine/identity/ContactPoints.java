package io.nudge.engine.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Emails and phone numbers as weak identifiers: normalised (lower-case email; phone in E.164) and kept
 * only as a salted hash, so the identity store never holds them in clear.
 */
public final class ContactPoints {
  private final SecretKeySpec salt;

  ContactPoints(byte[] salt) {
    this.salt = new SecretKeySpec(salt, "HmacSHA256");
  }

  /** A trimmed, lower-case email, or empty when it does not look like one. */
  public static Optional<String> normalEmail(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String e = raw.trim().toLowerCase(Locale.ROOT);
    int at = e.indexOf('@');
    if (at < 1 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.contains(" ")) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /**
   * A phone number in E.164 ({@code +} and 8 to 15 digits; {@code 00} counts as {@code +}; spaces,
   * dots, dashes and brackets dropped), or empty when it has no country code or is not a number.
   */
  public static Optional<String> normalPhone(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String p = raw.trim().replaceAll("[\\s.()\\-]", "");
    if (p.startsWith("00")) {
      p = "+" + p.substring(2);
    }
    if (!p.matches("\\+[1-9][0-9]{7,14}")) {
      return Optional.empty();
    }
    return Optional.of(p);
  }

  /** The identity key of an email: {@code e:} and a salted hash. */
  String emailKey(String normalEmail) {
    return "e:" + hash("email:" + normalEmail);
  }

  /** The identity key of a phone number: {@code p:} and a salted hash. */
  String phoneKey(String normalPhone) {
    return "p:" + hash("phone:" + normalPhone);
  }

  String hash(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(salt);
      return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
