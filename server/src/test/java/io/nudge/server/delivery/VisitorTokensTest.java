package io.nudge.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

final class VisitorTokensTest {
  private final byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final VisitorTokens tokens = VisitorTokens.create(secret);

  @Test
  void tokenFor_isBase64UrlOfHmacSha256OfTheAnonymousId() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    String expected = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal("anon-a".getBytes(StandardCharsets.UTF_8)));

    assertThat(tokens.tokenFor("anon-a")).isEqualTo(expected).hasSize(43);
  }

  @Test
  void matches_ownToken_isTrue() {
    assertThat(tokens.matches("anon-a", tokens.tokenFor("anon-a"))).isTrue();
  }

  @Test
  void matches_anotherVisitorsToken_isFalse() {
    assertThat(tokens.matches("anon-a", tokens.tokenFor("anon-b"))).isFalse();
  }

  @Test
  void matches_tokenWithOneCharacterChanged_isFalse() {
    char[] token = tokens.tokenFor("anon-a").toCharArray();
    token[10] = token[10] == 'A' ? 'B' : 'A';

    assertThat(tokens.matches("anon-a", new String(token))).isFalse();
  }

  @Test
  void matches_missingToken_isFalse() {
    assertThat(tokens.matches("anon-a", null)).isFalse();
    assertThat(tokens.matches("anon-a", "")).isFalse();
  }

  @Test
  void tokenFor_otherSecret_differs() {
    VisitorTokens other = VisitorTokens.create(VisitorTokens.generateSecret());

    assertThat(other.tokenFor("anon-a")).isNotEqualTo(tokens.tokenFor("anon-a"));
  }

  @Test
  void create_copiesTheSecret() {
    byte[] mutable = secret.clone();
    VisitorTokens copy = VisitorTokens.create(mutable);
    Arrays.fill(mutable, (byte) 0);

    assertThat(copy.tokenFor("anon-a")).isEqualTo(tokens.tokenFor("anon-a"));
  }

  @Test
  void create_shortSecret_failsNamingLengthAndMinimum() {
    assertThatThrownBy(() -> VisitorTokens.create(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("visitor token key is 16 bytes, under the 24-byte minimum"
            + " (visitorKey in NUDGE_DATA_DIR/secrets.properties)");
  }
}
