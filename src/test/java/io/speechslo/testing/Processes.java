package io.speechslo.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Ending test processes by their PID, as an operator (or the kernel's OOM killer) would: {@code kill -9}
 * leaves the process no chance to close connections, flush or deregister, which is the fault the
 * fault tests mean to cause.
 */
public final class Processes {

    private Processes() {}

    /** Sends SIGKILL to {@code pid} with the {@code kill} command and waits up to 30 s until it is gone. */
    public static void kill9(long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -9 " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("pid " + pid + " still alive 30 s after kill -9");
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run kill -9 " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted killing " + pid, e);
        }
    }
}
