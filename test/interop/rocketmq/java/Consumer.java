// A RocketMQ pull consumer for Skiff's interop tests, compiled at test time against each RocketMQ
// version's own client jars. Reads every queue of one topic from its min offset until `expected`
// messages or `timeoutMs`, printing each message as the Java client parsed it.
//
// usage: Consumer namesrv=HOST:PORT topic=T group=G [expected=N] [timeoutMs=N] [commit=0|1]
// Prints, per queue, OFFSET <queueId> <committed offset before reading> (-1: none); per message one
// JSON line {"topic","queueId","queueOffset","commitLogOffset","msgId","tags","keys","properties",
// "bodyBase64"}; with commit=1 it then commits each queue's next offset for the group
// (UPDATE_CONSUMER_OFFSET, waiting for the answer) and prints COMMITTED <queueId> <offset>; then
// DONE <count>. Exit codes: 0 when `expected` were read (or expected=-1), 2 bad arguments,
// 3 an error, 4 fewer than `expected` before the timeout.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

public class Consumer {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq <= 0) { System.err.println("bad argument " + a); System.exit(2); }
      args.put(a.substring(0, eq), a.substring(eq + 1));
    }
    String namesrv = args.get("namesrv"), topic = args.get("topic"), group = args.get("group");
    if (namesrv == null || topic == null || group == null) { System.err.println("namesrv=, topic= and group= are required"); System.exit(2); }
    int expected = Integer.parseInt(args.getOrDefault("expected", "-1"));
    long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeoutMs", "30000"));
    boolean commit = "1".equals(args.get("commit"));

    DefaultMQPullConsumer consumer = new DefaultMQPullConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName("skiff-interop-" + ProcessHandle.current().pid());
    consumer.start();
    int code = 0, count = 0;
    try {
      List<MessageQueue> queues = queuesOf(consumer, topic, deadline);
      Map<MessageQueue, Long> next = new HashMap<>();
      for (MessageQueue mq : queues) {
        System.out.println("OFFSET " + mq.getQueueId() + " " + consumer.fetchConsumeOffset(mq, true));
        next.put(mq, consumer.minOffset(mq));
      }
      boolean progress = true;
      while (expected < 0 ? progress : count < expected) {
        progress = false;
        for (MessageQueue mq : queues) {
          PullResult result = consumer.pull(mq, "*", next.get(mq), 32, 5000);
          if (result.getPullStatus() == PullStatus.FOUND) {
            for (MessageExt m : result.getMsgFoundList()) { System.out.println(json(m)); count++; }
            progress = true;
          }
          if (result.getNextBeginOffset() != next.get(mq)) progress = true;
          next.put(mq, result.getNextBeginOffset());
        }
        if (!progress && System.currentTimeMillis() > deadline) break;
        if (!progress && expected >= 0) Thread.sleep(200);
      }
      if (expected >= 0 && count < expected) {
        System.err.println("read " + count + " of " + expected + " messages before the timeout");
        code = 4;
      }
      if (commit) {
        for (MessageQueue mq : queues) {
          consumer.getDefaultMQPullConsumerImpl().getOffsetStore().updateConsumeOffsetToBroker(mq, next.get(mq), false);
          System.out.println("COMMITTED " + mq.getQueueId() + " " + next.get(mq));
        }
      }
      System.out.println("DONE " + count);
    } catch (Exception e) {
      System.out.flush();
      e.printStackTrace();
      code = 3;
    } finally {
      System.out.flush();
      consumer.shutdown();
    }
    System.exit(code);
  }

  static List<MessageQueue> queuesOf(DefaultMQPullConsumer consumer, String topic, long deadline) throws Exception {
    for (;;) {
      try {
        Set<MessageQueue> found = consumer.fetchSubscribeMessageQueues(topic);
        if (!found.isEmpty()) {
          List<MessageQueue> queues = new ArrayList<>(found);
          queues.sort(Comparator.comparing(MessageQueue::getBrokerName).thenComparingInt(MessageQueue::getQueueId));
          return queues;
        }
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) throw e;
      }
      Thread.sleep(300);
    }
  }

  static String json(MessageExt m) {
    StringBuilder s = new StringBuilder("{");
    s.append("\"topic\":").append(str(m.getTopic()));
    s.append(",\"queueId\":").append(m.getQueueId());
    s.append(",\"queueOffset\":").append(m.getQueueOffset());
    s.append(",\"commitLogOffset\":").append(m.getCommitLogOffset());
    s.append(",\"msgId\":").append(str(m.getMsgId()));
    s.append(",\"tags\":").append(str(m.getTags()));
    s.append(",\"keys\":").append(str(m.getKeys()));
    s.append(",\"properties\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(m.getProperties()).entrySet()) {
      if (!first) s.append(',');
      first = false;
      s.append(str(e.getKey())).append(':').append(str(e.getValue()));
    }
    s.append("},\"bodyBase64\":").append(str(Base64.getEncoder().encodeToString(m.getBody() == null ? new byte[0] : m.getBody())));
    return s.append('}').toString();
  }

  static String str(String v) {
    if (v == null) return "null";
    StringBuilder s = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      if (c == '"' || c == '\\') s.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) s.append(String.format("\\u%04x", (int) c));
      else s.append(c);
    }
    return s.append('"').toString();
  }
}
