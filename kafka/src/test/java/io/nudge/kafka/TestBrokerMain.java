package io.nudge.kafka;

/**
 * A test broker as a process of its own, for trying a cluster by hand and for the cluster benchmark:
 * prints {@code bootstrap <host:port>} and runs until stopped.
 */
public final class TestBrokerMain {
  private TestBrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    TestBroker broker = TestBroker.start();
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
    System.out.println("bootstrap " + broker.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
