package io.nudge.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

final class WebhookSignerTest {
  // The test vector of the Standard Webhooks reference libraries.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String PAYLOAD = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  private static final Instant AT_TIMESTAMP = Instant.ofEpochSecond(TIMESTAMP);

  private final WebhookSigner signer = WebhookSigner.fromSecret(SECRET);

  @Test
  void sign_standardWebhooksTestVector_matchesReferenceSignature() {
    assertThat(signer.sign(MSG_ID, TIMESTAMP, PAYLOAD)).isEqualTo(SIGNATURE);
  }

  @Test
  void verify_referenceSignature_accepts() {
    assertThat(signer.verify(MSG_ID, Long.toString(TIMESTAMP), PAYLOAD, SIGNATURE, AT_TIMESTAMP)).isTrue();
  }

  @Test
  void verify_oneValidAmongSeveralSignatures_accepts() {
    String header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,AAAA " + SIGNATURE + " v2,xyz";

    assertThat(signer.verify(MSG_ID, Long.toString(TIMESTAMP), PAYLOAD, header, AT_TIMESTAMP)).isTrue();
  }

  @Test
  void verify_bodyChangedByOneCharacter_rejects() {
    assertThat(signer.verify(MSG_ID, Long.toString(TIMESTAMP), "{\"test\": 2432232315}", SIGNATURE, AT_TIMESTAMP))
        .isFalse();
  }

  @Test
  void verify_otherMessageId_rejects() {
    assertThat(signer.verify("msg_other", Long.toString(TIMESTAMP), PAYLOAD, SIGNATURE, AT_TIMESTAMP)).isFalse();
  }

  @Test
  void verify_otherSecret_rejects() {
    WebhookSigner other = WebhookSigner.fromSecret(WebhookSigner.generateSecret());

    assertThat(other.verify(MSG_ID, Long.toString(TIMESTAMP), PAYLOAD, SIGNATURE, AT_TIMESTAMP)).isFalse();
  }

  @Test
  void verify_timestampFiveMinutesOff_acceptsAndOneSecondMoreRejects() {
    String ts = Long.toString(TIMESTAMP);

    assertThat(signer.verify(MSG_ID, ts, PAYLOAD, SIGNATURE, AT_TIMESTAMP.plusSeconds(300))).isTrue();
    assertThat(signer.verify(MSG_ID, ts, PAYLOAD, SIGNATURE, AT_TIMESTAMP.minusSeconds(300))).isTrue();
    assertThat(signer.verify(MSG_ID, ts, PAYLOAD, SIGNATURE, AT_TIMESTAMP.plusSeconds(301))).isFalse();
    assertThat(signer.verify(MSG_ID, ts, PAYLOAD, SIGNATURE, AT_TIMESTAMP.minusSeconds(301))).isFalse();
  }

  @Test
  void verify_missingOrMalformedHeaders_rejects() {
    assertThat(signer.verify(MSG_ID, "yesterday", PAYLOAD, SIGNATURE, AT_TIMESTAMP)).isFalse();
    assertThat(signer.verify(MSG_ID, null, PAYLOAD, SIGNATURE, AT_TIMESTAMP)).isFalse();
    assertThat(signer.verify(MSG_ID, Long.toString(TIMESTAMP), PAYLOAD, null, AT_TIMESTAMP)).isFalse();
    assertThat(signer.verify(MSG_ID, Long.toString(TIMESTAMP), PAYLOAD, "g0hM9SsE", AT_TIMESTAMP)).isFalse();
    assertThat(signer.verify(MSG_ID, Long.toString(TIMESTAMP), PAYLOAD, "v1,%%%", AT_TIMESTAMP)).isFalse();
  }

  @Test
  void generateSecret_is24RandomBytesInWhsecForm() {
    String secret = WebhookSigner.generateSecret();

    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(24);
    assertThat(WebhookSigner.generateSecret()).isNotEqualTo(secret);
    WebhookSigner generated = WebhookSigner.fromSecret(secret);
    assertThat(generated.verify(MSG_ID, Long.toString(TIMESTAMP), PAYLOAD,
        generated.sign(MSG_ID, TIMESTAMP, PAYLOAD), AT_TIMESTAMP)).isTrue();
  }

  @Test
  void fromSecret_withoutPrefix_failsNamingTheSetting() {
    assertThatThrownBy(() -> WebhookSigner.fromSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook secret does not start with whsec_ (NUDGE_WEBHOOK_SECRET);"
            + " the Standard Webhooks form is whsec_ followed by base64 of 24 to 64 random bytes");
  }

  @Test
  void fromSecret_notBase64_failsNamingTheSetting() {
    assertThatThrownBy(() -> WebhookSigner.fromSecret("whsec_not-base64!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook secret is not valid base64 after whsec_ (NUDGE_WEBHOOK_SECRET):"
            + " illegal base64 character 2d");
  }

  @Test
  void fromSecret_tooShort_failsNamingLengthAndLimits() {
    assertThatThrownBy(() -> WebhookSigner.fromSecret("whsec_" + Base64.getEncoder().encodeToString(new byte[16])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook secret is 16 bytes, outside the 24 to 64 bytes Standard Webhooks allows"
            + " (NUDGE_WEBHOOK_SECRET)");
  }

  @Test
  void fromSecret_empty_failsNamingTheSetting() {
    assertThatThrownBy(() -> WebhookSigner.fromSecret(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook secret is empty; set NUDGE_WEBHOOK_SECRET to whsec_ followed by base64 of 24 random"
            + " bytes or more");
  }

  @Test
  void toString_doesNotRevealTheSecret() {
    assertThat(signer.toString()).doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  }
}
