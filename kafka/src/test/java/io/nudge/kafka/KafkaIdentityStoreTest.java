package io.nudge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.identity.IdentityRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Every node applies identity links in the topic's order, so all end with the topic's last link for an
 * id; a node does not step back to its own older link while a newer one of its own is on its way.
 */
final class KafkaIdentityStoreTest {
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private long offset;

  private KafkaIdentityStore node(String id) {
    return new KafkaIdentityStore(producer, "identity", id, Map.of(), Map.of());
  }

  private ConsumerRecord<byte[], byte[]> record(String node, String key, String value) {
    ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("identity", 0, offset++, Kafka.utf8(key), Kafka.utf8(value));
    r.headers().add(new RecordHeader("node", Kafka.utf8(node)));
    return r;
  }

  @Test
  void twoNodesLinkingOneIdAtOnce_bothEndWithTheLinkLastInTheTopic() {
    KafkaIdentityStore a = node("a");
    KafkaIdentityStore b = node("b");
    IdentityRegistry onA = new IdentityRegistry();
    IdentityRegistry onB = new IdentityRegistry();
    a.follow(onA);
    b.follow(onB);
    a.link("u:ann", "cust-a\u0000identify\u00001");
    onA.learn("u:ann", "cust-a\u0000identify\u00001"); // as the registry holds its own link at once
    b.link("u:ann", "cust-b\u0000identify\u00002");
    onB.learn("u:ann", "cust-b\u0000identify\u00002");
    // the topic took a's link first, then b's
    List<ConsumerRecord<byte[], byte[]>> topic = List.of(record("a", "u:ann", "cust-a\u0000identify\u00001"),
        record("b", "u:ann", "cust-b\u0000identify\u00002"));

    topic.forEach(a::apply);
    topic.forEach(b::apply);

    assertThat(onA.customerOf("ann")).contains("cust-b");
    assertThat(onB.customerOf("ann")).contains("cust-b");
  }

  @Test
  void ownLinksEchoed_theOlderOneIsNotApplied_whileANewerOneIsOnItsWay() {
    KafkaIdentityStore a = node("a");
    IdentityRegistry onA = new IdentityRegistry();
    a.follow(onA);
    a.link("a:dev", "dev\u0000first seen\u00001");
    a.link("a:dev", "user\u0000merge\u00002"); // a merge moved the device before the first echo came back
    onA.learn("a:dev", "user\u0000merge\u00002");

    a.apply(record("a", "a:dev", "dev\u0000first seen\u00001"));
    assertThat(onA.customerOf("dev")).contains("user"); // not back to its own customer

    a.apply(record("a", "a:dev", "user\u0000merge\u00002"));
    assertThat(onA.customerOf("dev")).contains("user");
  }
}
