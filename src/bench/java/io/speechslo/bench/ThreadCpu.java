package io.speechslo.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU seconds this JVM (all of it: GC and JIT threads too) and each of its Java threads spent between {@link #start()} and {@link #stop()}, grouped by
 * thread name with subtask and attempt numbers stripped ("Release gate (1/2)#0" counts as "Release
 * gate"), so a benchmark can say which operator a core went to and whether one thread was the
 * bottleneck. Java threads are sampled every {@value #SAMPLE_MS} ms in between, so a thread that ended
 * before {@link #stop()} (a finished job's tasks) still counts, up to its last sample.
 */
final class ThreadCpu {

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    static final long SAMPLE_MS = 200;

    private final Map<Long, Long> before = new HashMap<>();
    /** The latest CPU nanos seen per Java thread id, and its name. */
    private final Map<Long, Long> latest = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, String> names = new java.util.concurrent.ConcurrentHashMap<>();
    private Thread sampler;
    private Map<String, Long> nativeBefore = Map.of();
    private long startNanos;
    private long processCpuBefore;
    private long gcMillisBefore;

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    static ThreadCpu start() {
        ThreadCpu t = new ThreadCpu();
        t.mx.setThreadCpuTimeEnabled(true);
        for (long id : t.mx.getAllThreadIds()) {
            t.before.put(id, Math.max(0, t.mx.getThreadCpuTime(id)));
        }
        t.nativeBefore = nativeThreadTicks();
        t.processCpuBefore = processCpuNanos();
        t.gcMillisBefore = gcMillis();
        t.startNanos = System.nanoTime();
        t.sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                t.sample();
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-thread-cpu-sampler");
        t.sampler.setDaemon(true);
        t.sampler.start();
        return t;
    }

    private void sample() {
        for (long id : mx.getAllThreadIds()) {
            ThreadInfo info = mx.getThreadInfo(id);
            long now = mx.getThreadCpuTime(id);
            if (info != null && now >= 0) {
                latest.put(id, now);
                names.put(id, info.getThreadName());
            }
        }
    }

    /**
     * CPU seconds per thread group, busiest first (groups under 1% of the wall time left out), plus
     * {@code wall_seconds}, {@code process_cpu_seconds}, {@code java_threads_cpu_seconds} (the difference
     * is GC and JIT compiler threads), {@code gc_seconds} (collection time as the JVM reports it) and {@code busiest_thread_share} (the busiest single
     * thread's CPU over the wall time: near 1 means that thread alone set the pace).
     */
    Map<String, Object> stop() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        Map<String, Double> byGroup = new HashMap<>();
        double total = 0;
        double busiest = 0;
        for (Map.Entry<Long, Long> e : latest.entrySet()) {
            if (e.getKey() == sampler.getId()) {
                continue;
            }
            double s = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9;
            total += s;
            busiest = Math.max(busiest, s);
            byGroup.merge(group(names.get(e.getKey())), s, Double::sum);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("wall_seconds", round(wall));
        out.put("process_cpu_seconds", round((processCpuNanos() - processCpuBefore) / 1e9));
        out.put("java_threads_cpu_seconds", round(total));
        out.put("gc_seconds", round((gcMillis() - gcMillisBefore) / 1e3));
        out.put("busiest_thread_share", round(busiest / wall));
        List<Map.Entry<String, Double>> groups = byGroup.entrySet().stream()
                .filter(e -> e.getValue() >= 0.01 * wall)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .collect(Collectors.toList());
        Map<String, Object> cpu = new LinkedHashMap<>();
        groups.forEach(e -> cpu.put(e.getKey(), round(e.getValue())));
        out.put("cpu_seconds_by_thread", cpu);
        Map<String, Long> nativeNow = nativeThreadTicks();
        Map<String, Object> jvm = new LinkedHashMap<>();
        nativeNow.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - nativeBefore.getOrDefault(e.getKey(), 0L)) / TICKS_PER_S))
                .filter(e -> e.getValue() >= 0.01 * wall)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> jvm.put(e.getKey(), round(e.getValue())));
        out.put("cpu_seconds_by_jvm_thread", jvm);
        return out;
    }

    private static final double TICKS_PER_S = 100.0; // USER_HZ on Linux

    /**
     * CPU ticks of the JVM's own threads (GC, JIT compilers, VM thread), which the thread MXBean does
     * not list, from /proc/self/task, grouped by name with numbers stripped; empty where there is no /proc.
     */
    static Map<String, Long> nativeThreadTicks() {
        Map<String, Long> ticks = new HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return ticks;
        }
        for (java.io.File task : tasks) {
            try {
                String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim();
                if (!(name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("C1 ") || name.startsWith("C2 ")
                        || name.startsWith("VM ") || name.startsWith("Sweeper"))) {
                    continue;
                }
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long t = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                ticks.merge(name.replaceAll("#?\\d+$", ""), t, Long::sum);
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended while being read
            }
        }
        return ticks;
    }

    static String group(String thread) {
        return thread.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?", "").replaceAll("-\\d+$", "-N")
                .replaceAll("Source: Telemetry source -> .*", "Source: Telemetry source -> (chained)");
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
