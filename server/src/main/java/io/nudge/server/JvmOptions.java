package io.nudge.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What the server says at start about the JVM it runs on: the Java version, the collector, the heap
 * limit, and whether the young-generation options that keep the latency tail short are set (see
 * docs/operations.md, "Memory and the JVM"). A JVM cannot change these once started, so Nudge can only
 * say so; it does not refuse to run without them.
 */
final class JvmOptions {
  /** The options docs/operations.md recommends for G1, as given on the command line. */
  static final List<String> RECOMMENDED = List.of("-XX:+UnlockExperimentalVMOptions", "-XX:G1NewSizePercent=0",
      "-XX:MaxGCPauseMillis=20");

  private JvmOptions() {}

  /** One line for the start-up log, from the running JVM. */
  static String describe() {
    List<String> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).toList();
    return describe(Runtime.version().toString(), collectors, Runtime.getRuntime().maxMemory(),
        ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /**
   * One line for the start-up log.
   *
   * @param collectors the names of the JVM's collectors, as its management beans give them
   * @param arguments the JVM's own options (not the program's arguments)
   */
  static String describe(String javaVersion, List<String> collectors, long maxHeapBytes, List<String> arguments) {
    boolean g1 = collectors.stream().anyMatch(n -> n.startsWith("G1"));
    String line = "JVM: Java " + javaVersion + ", " + (g1 ? "G1" : String.join(" and ", collectors))
        + ", heap limit " + maxHeapBytes / (1024 * 1024) + " MB";
    if (!g1 || youngGenerationSet(arguments)) {
      return line;
    }
    return line + "; for a short latency tail under load start it with " + String.join(" ", RECOMMENDED)
        + " (docs/operations.md, \"Memory and the JVM\")";
  }

  /** Whether the options size G1's young generation themselves: the recommended ones, or -Xmn. */
  private static boolean youngGenerationSet(List<String> arguments) {
    return arguments.stream().anyMatch(a -> a.startsWith("-XX:G1NewSizePercent=") || a.startsWith("-Xmn")
        || a.startsWith("-XX:NewSize=") || a.startsWith("-XX:MaxNewSize="));
  }
}
