package dev.lowlight.bench.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This process's memory as the operating system and the JVM see it: resident set and its high
 * water mark from {@code /proc/self/status} (native allocations of PyTorch included, which the
 * JVM cannot see), and the heap's peak from the garbage collector's pools.
 *
 * <pre>{@code
 * ProcessMemory.resetHeapPeak();
 * ... work ...
 * long rss = ProcessMemory.residentBytes();
 * long heap = ProcessMemory.heapPeakBytes();
 * }</pre>
 */
public final class ProcessMemory {

  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {}

  /** Resident set size in bytes ({@code VmRSS}), or -1 where {@code /proc} is missing (not Linux). */
  public static long residentBytes() {
    return statusKb("VmRSS:");
  }

  /** Peak resident set size in bytes since the process started ({@code VmHWM}), or -1. */
  public static long residentPeakBytes() {
    return statusKb("VmHWM:");
  }

  /** Forgets the heap pools' peaks, so {@link #heapPeakBytes()} measures from now. */
  public static void resetHeapPeak() {
    for (MemoryPoolMXBean pool : heapPools()) {
      pool.resetPeakUsage();
    }
  }

  /**
   * The sum of the heap pools' peak usage since {@link #resetHeapPeak()}: an upper bound of the
   * heap's peak, since the pools need not peak at the same moment.
   */
  public static long heapPeakBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : heapPools()) {
      sum += pool.getPeakUsage().getUsed();
    }
    return sum;
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .filter(MemoryPoolMXBean::isValid).toList();
  }

  private static long statusKb(String key) {
    if (!Files.isReadable(STATUS)) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
      return -1;
    } catch (IOException | NumberFormatException e) {
      // memory figures are informative; a benchmark must not fail because /proc changed format
      return -1;
    }
  }
}
