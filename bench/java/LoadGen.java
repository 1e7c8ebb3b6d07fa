// The load generator of Skiff's RocketMQ benchmark (bench/rocketmq.bench.ts): one stock
// DefaultMQProducer of the client jars it is compiled against (4.9.7), shared by `threads` threads
// that each keep one synchronous send call in flight, to one topic through one name server. The
// same program, with the same arguments, drives an Apache RocketMQ broker pair and a Skiff pair.
//
// usage: LoadGen namesrv=HOST:PORT topic=T [threads=32] [batchSize=1] [bodyBytes=1024]
//                [warmupMs=5000] [durationMs=15000] [timeoutMs=3000] [queues=8]
//                [routeWaitMs=20000] [readyWaitMs=30000] [retries=0] [cpuPids=PID,PID,...] [rate=0]
//
// Phases: (1) create the topic with `queues` queues through the producer's own admin call
// (UPDATE_AND_CREATE_TOPIC on every master of TBW102's route) and wait until its route lists them;
// (2) send single messages until one answers SEND_OK (a SYNC_MASTER's slave has acknowledged);
// (3) warm up for warmupMs; (4) measure for durationMs. batchSize=1 sends one Message per call,
// batchSize>1 sends a Collection<Message> (one MessageBatch) per call.
//
// Prints exactly one JSON line on stdout:
//   {"ok":true, "sends", "messages", "msgsPerSec", "latencyMs":{"p50","p99","p999","max"}, "errors",
//    "errorKinds":{...}, "statuses":{"SEND_OK":n, ...}, "firstError"?, "cpuTicks"?:[n, ...], "generatorCpuTicks"?:n}
// cpuTicks: for each of cpuPids, the CPU (user + system, clock ticks of /proc/<pid>/stat) it used
// during exactly the measured window, -1 where /proc could not be read; generatorCpuTicks: the same
// for this JVM (what the load itself cost: the share of the machine the brokers did not get).
// Latency is per send call (a batch counts once) and covers the calls that returned a SendResult,
// started inside the window and ended inside it. Errors are calls that threw, by exception class
// and response code. A setup phase that fails prints {"ok":false, "phase", "error"} and exits 3;
// bad arguments exit 2.
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.exception.RemotingException;

public class LoadGen {
  static final Map<String, AtomicLong> ERROR_KINDS = new ConcurrentHashMap<>();
  static final Map<String, AtomicLong> STATUSES = new ConcurrentHashMap<>();
  static volatile String firstError = null;
  /** Pacing (rate=): the next slot of the shared schedule, its start and the time between slots (0: unpaced). */
  static final AtomicLong NEXT_SLOT = new AtomicLong();
  static long paceFromNs = 0, slotNs = 0;

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq <= 0) { System.err.println("bad argument " + a); System.exit(2); }
      args.put(a.substring(0, eq), a.substring(eq + 1));
    }
    String namesrv = args.get("namesrv"), topic = args.get("topic");
    if (namesrv == null || topic == null) { System.err.println("namesrv= and topic= are required"); System.exit(2); }
    int threads = intArg(args, "threads", 32), batchSize = intArg(args, "batchSize", 1);
    int bodyBytes = intArg(args, "bodyBytes", 1024), queues = intArg(args, "queues", 8);
    long warmupMs = intArg(args, "warmupMs", 5000), durationMs = intArg(args, "durationMs", 15000);

    DefaultMQProducer producer = new DefaultMQProducer("skiff_bench_producer");
    producer.setNamesrvAddr(namesrv);
    producer.setSendMsgTimeout(intArg(args, "timeoutMs", 3000));
    producer.setRetryTimesWhenSendFailed(intArg(args, "retries", 0));
    producer.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
    producer.setInstanceName("skiff-bench-" + ProcessHandle.current().pid());
    producer.start();
    try {
      String phase = "createTopic";
      try {
        createTopic(producer, topic, queues, intArg(args, "routeWaitMs", 20000));
        phase = "firstSendOk";
        awaitSendOk(producer, topic, bodyBytes, intArg(args, "readyWaitMs", 30000));
      } catch (Exception e) {
        System.out.println("{\"ok\":false,\"phase\":\"" + phase + "\",\"error\":" + json(describe(e)) + "}");
        System.out.flush();
        System.exit(3);
      }
      long startNs = System.nanoTime();
      int rate = intArg(args, "rate", 0);
      if (rate < 0) { System.err.println("rate= must be 0 (unpaced) or more"); System.exit(2); }
      paceFromNs = startNs;
      slotNs = rate == 0 ? 0 : 1_000_000_000L / rate;
      long measureFromNs = startNs + warmupMs * 1_000_000L, measureToNs = measureFromNs + durationMs * 1_000_000L;
      Sender[] senders = new Sender[threads];
      for (int i = 0; i < threads; i++) {
        senders[i] = new Sender(producer, topic, batchSize, bodyBytes, measureFromNs, measureToNs);
        senders[i].start();
      }
      // CPU of the broker processes over exactly the measured window, read from /proc.
      long[] cpuPids = longsArg(args, "cpuPids");
      long[] cpuDelta = null;
      if (cpuPids.length > 0) {
        long[] pids = Arrays.copyOf(cpuPids, cpuPids.length + 1);
        pids[cpuPids.length] = ProcessHandle.current().pid();
        sleepUntil(measureFromNs);
        long[] before = cpuTicks(pids);
        sleepUntil(measureToNs);
        long[] after = cpuTicks(pids);
        cpuDelta = new long[pids.length];
        for (int i = 0; i < pids.length; i++) cpuDelta[i] = before[i] < 0 || after[i] < 0 ? -1 : after[i] - before[i];
      }
      for (Sender s : senders) s.join();
      printResult(senders, batchSize, durationMs, cpuDelta);
    } finally {
      producer.shutdown();
    }
    System.exit(0);
  }

  static long[] longsArg(Map<String, String> args, String name) {
    String value = args.getOrDefault(name, "");
    if (value.isEmpty()) return new long[0];
    return Arrays.stream(value.split(",")).mapToLong(Long::parseLong).toArray();
  }

  static void sleepUntil(long deadlineNs) throws InterruptedException {
    for (long left = deadlineNs - System.nanoTime(); left > 0; left = deadlineNs - System.nanoTime()) Thread.sleep(Math.max(1, left / 1_000_000));
  }

  /** utime + stime of each process in clock ticks (/proc/<pid>/stat fields 14 and 15), -1 where it cannot be read. */
  static long[] cpuTicks(long[] pids) {
    long[] ticks = new long[pids.length];
    for (int i = 0; i < pids.length; i++) {
      try {
        String stat = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/" + pids[i] + "/stat")));
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks[i] = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
      } catch (Exception e) {
        ticks[i] = -1;
      }
    }
    return ticks;
  }

  static int intArg(Map<String, String> args, String name, int fallback) {
    return Integer.parseInt(args.getOrDefault(name, String.valueOf(fallback)));
  }

  /**
   * Creates the topic on every master of TBW102's route, then waits for its route to list `queues`
   * write queues. "No route info" is waited out (a broker registers after its boot); a name server
   * or broker that fails at the remoting level (refused, closed, no answer) three times running is
   * reported at once.
   */
  static void createTopic(DefaultMQProducer producer, String topic, int queues, long waitMs) throws Exception {
    long deadline = System.currentTimeMillis() + waitMs;
    boolean created = false;
    int remotingFailures = 0;
    for (;;) {
      try {
        if (!created) {
          producer.createTopic(producer.getCreateTopicKey(), topic, queues);
          created = true;
        }
        List<MessageQueue> routed = producer.fetchPublishMessageQueues(topic);
        if (routed.size() >= queues) return;
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("route of " + topic + " lists " + routed.size() + " of " + queues + " queues after " + waitMs + " ms");
      } catch (MQClientException e) {
        remotingFailures = causedByRemoting(e) ? remotingFailures + 1 : 0;
        if (System.currentTimeMillis() > deadline || remotingFailures >= 3) throw e;
      }
      Thread.sleep(200);
    }
  }

  static boolean causedByRemoting(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RemotingException) return true;
    }
    return false;
  }

  /** Sends single messages until one is answered SEND_OK (a SYNC_MASTER's slave is attached and acknowledging). */
  static void awaitSendOk(DefaultMQProducer producer, String topic, int bodyBytes, long waitMs) throws Exception {
    long deadline = System.currentTimeMillis() + waitMs;
    String last = "no answer";
    while (System.currentTimeMillis() < deadline) {
      try {
        SendResult r = producer.send(new Message(topic, "Ready", body(bodyBytes)));
        if (r.getSendStatus().name().equals("SEND_OK")) return;
        last = "status " + r.getSendStatus();
      } catch (Exception e) {
        last = describe(e);
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no SEND_OK within " + waitMs + " ms; last: " + last);
  }

  static byte[] body(int bodyBytes) {
    byte[] b = new byte[bodyBytes];
    for (int i = 0; i < b.length; i++) b[i] = (byte) ('a' + i % 26);
    return b;
  }

  static String kindOf(Throwable e) {
    String kind = e.getClass().getSimpleName();
    if (e instanceof MQBrokerException) kind += "(" + ((MQBrokerException) e).getResponseCode() + ")";
    else if (e instanceof MQClientException) kind += "(" + ((MQClientException) e).getResponseCode() + ")";
    return kind;
  }

  /** The exception and its causes, each as `Kind(code): first line of its message`. */
  static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null && s.length() < 600; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage()).split("\n")[0];
      if (s.length() > 0) s.append(" <- caused by ");
      s.append(kindOf(t)).append(": ").append(message.length() > 200 ? message.substring(0, 200) : message);
    }
    return s.toString();
  }

  static void countError(Throwable e) {
    ERROR_KINDS.computeIfAbsent(kindOf(e), k -> new AtomicLong()).incrementAndGet();
    if (firstError == null) firstError = describe(e);
  }

  static void printResult(Sender[] senders, int batchSize, long durationMs, long[] cpuDelta) {
    int total = 0;
    for (Sender s : senders) total += s.count;
    long[] all = new long[total];
    int at = 0;
    long errors = 0;
    for (Sender s : senders) {
      System.arraycopy(s.latenciesNs, 0, all, at, s.count);
      at += s.count;
      errors += s.errors;
    }
    Arrays.sort(all);
    long messages = (long) total * batchSize;
    StringBuilder out = new StringBuilder("{\"ok\":true");
    out.append(",\"sends\":").append(total).append(",\"messages\":").append(messages);
    out.append(",\"msgsPerSec\":").append(Math.round(messages * 1000.0 / durationMs));
    out.append(",\"latencyMs\":{\"p50\":").append(ms(percentile(all, 0.50))).append(",\"p99\":").append(ms(percentile(all, 0.99))).append(",\"p999\":").append(ms(percentile(all, 0.999))).append(",\"max\":").append(ms(total == 0 ? 0 : all[total - 1])).append('}');
    out.append(",\"errors\":").append(errors).append(",\"errorKinds\":").append(counts(ERROR_KINDS)).append(",\"statuses\":").append(counts(STATUSES));
    if (firstError != null) out.append(",\"firstError\":").append(json(firstError));
    if (cpuDelta != null) {
      long[] brokers = Arrays.copyOf(cpuDelta, cpuDelta.length - 1);
      out.append(",\"cpuTicks\":").append(Arrays.toString(brokers).replace(" ", ""));
      out.append(",\"generatorCpuTicks\":").append(cpuDelta[cpuDelta.length - 1]);
    }
    System.out.println(out.append('}'));
    System.out.flush();
  }

  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  static String ms(long ns) {
    return String.format(java.util.Locale.ROOT, "%.3f", ns / 1e6);
  }

  static String counts(Map<String, AtomicLong> map) {
    StringBuilder s = new StringBuilder("{");
    for (Map.Entry<String, AtomicLong> e : new TreeMap<>(map).entrySet()) {
      if (s.length() > 1) s.append(',');
      s.append(json(e.getKey())).append(':').append(e.getValue().get());
    }
    return s.append('}').toString();
  }

  static String json(String text) {
    StringBuilder s = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') s.append('\\').append(c);
      else if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
      else s.append(c);
    }
    return s.append('"').toString();
  }

  /** One thread: one synchronous send call at a time until the window ends; latencies of the calls inside it. */
  static final class Sender extends Thread {
    final DefaultMQProducer producer;
    final String topic;
    final int batchSize;
    final byte[] body;
    final long fromNs, toNs;
    long[] latenciesNs = new long[1 << 16];
    int count = 0;
    long errors = 0;

    Sender(DefaultMQProducer producer, String topic, int batchSize, int bodyBytes, long fromNs, long toNs) {
      this.producer = producer;
      this.topic = topic;
      this.batchSize = batchSize;
      this.body = body(bodyBytes);
      this.fromNs = fromNs;
      this.toNs = toNs;
      setDaemon(true);
    }

    // New Message objects per call: the client stamps each with its unique id (UNIQ_KEY) on send.
    List<Message> freshBatch() {
      List<Message> batch = new ArrayList<>(batchSize);
      for (int i = 0; i < batchSize; i++) batch.add(new Message(topic, "Bench", body));
      return batch;
    }

    @Override
    public void run() {
      long now = System.nanoTime();
      while (now < toNs) {
        if (slotNs > 0) {
          long at = paceFromNs + NEXT_SLOT.getAndIncrement() * slotNs;
          while ((now = System.nanoTime()) < at) java.util.concurrent.locks.LockSupport.parkNanos(at - now);
          if (now >= toNs) break;
        }
        long started = now;
        SendResult result = null;
        Throwable failure = null;
        try {
          result = batchSize == 1 ? producer.send(new Message(topic, "Bench", body)) : producer.send(freshBatch());
        } catch (Throwable e) {
          failure = e;
        }
        now = System.nanoTime();
        if (started < fromNs) continue;
        if (failure != null) {
          errors++;
          countError(failure);
          continue;
        }
        if (now > toNs) break;
        STATUSES.computeIfAbsent(result.getSendStatus().name(), k -> new AtomicLong()).incrementAndGet();
        if (count == latenciesNs.length) latenciesNs = Arrays.copyOf(latenciesNs, count * 2);
        latenciesNs[count++] = now - started;
      }
    }
  }
}
