package io.nudge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestBrokerTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void keyedRecordsGoThroughAThreePartitionTopic() throws Exception {
    broker.createTopic("events", 3, Map.of());

    Map<String, String> sent = new HashMap<>();
    Set<Integer> partitions = new HashSet<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String key = "customer-" + i;
        String value = "event-" + i;
        sent.put(key, value);
        acks.add(producer.send(new ProducerRecord<>("events", key, value)));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        partitions.add(ack.get().partition());
      }
    }
    assertThat(partitions).as("keys spread over the partitions").containsExactlyInAnyOrder(0, 1, 2);

    // both group protocols: the classic one (the clients' default) and KIP-848's "consumer"
    assertThat(consumeAll("events", "classic-group", "classic", 100)).isEqualTo(sent);
    assertThat(consumeAll("events", "consumer-group", "consumer", 100)).isEqualTo(sent);
  }

  /** Reads {@code count} records from the start of {@code topic} in a new group; key to value. */
  private static Map<String, String> consumeAll(String topic, String group, String protocol, int count) {
    Map<String, String> received = new HashMap<>();
    Set<Integer> readFrom = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(group, protocol))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (received.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          assertThat(received.put(r.key(), r.value())).as("%s read twice", r.key()).isNull();
          readFrom.add(r.partition());
        }
      }
      consumer.commitSync();
      assertThat(consumer.assignment()).as("partitions assigned to the %s group", protocol).hasSize(3);
    }
    assertThat(readFrom).as("partitions read by the %s group", protocol).containsExactlyInAnyOrder(0, 1, 2);
    return received;
  }

  @Test
  void createsACompactedTopic() throws Exception {
    broker.createTopic("snapshots", 2, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));

    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "snapshots");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
      assertThat(admin.describeTopics(List.of("snapshots")).allTopicNames().get().get("snapshots").partitions())
          .hasSize(2);
    }
  }

  private static Properties producerProps() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return p;
  }

  private static Properties consumerProps(String group, String protocol) {
    Properties p = new Properties();
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return p;
  }
}
