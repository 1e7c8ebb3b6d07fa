// A RocketMQ producer for Skiff's interop tests, compiled at test time against each RocketMQ
// version's own client jars (4.9.7, 5.3.3). Sends `singles` single messages (tags, keys and user
// properties that vary with the index), `batches` batches of `batchSize` through
// send(Collection), and optionally one delayed message, to one topic on one name server.
//
// usage: Producer namesrv=HOST:PORT topic=T [singles=N] [batches=N] [batchSize=N] [bodyBytes=N]
//                 [delayLevel=L] [group=G] [timeoutMs=N] [prefix=P] [routeWaitMs=N]
// Prints one line per send result: SENT <msgId> <queueId> <queueOffset> <status>
// (a batch prints one line per message, with the batch's queue offset + index), then DONE <count>.
// Exit codes: 0 all sent, 2 bad arguments, 3 a send failed (the exception on stderr).
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;

public class Producer {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq <= 0) { System.err.println("bad argument " + a); System.exit(2); }
      args.put(a.substring(0, eq), a.substring(eq + 1));
    }
    String namesrv = args.get("namesrv"), topic = args.get("topic");
    if (namesrv == null || topic == null) { System.err.println("namesrv= and topic= are required"); System.exit(2); }
    int singles = Integer.parseInt(args.getOrDefault("singles", "10"));
    int batches = Integer.parseInt(args.getOrDefault("batches", "0"));
    int batchSize = Integer.parseInt(args.getOrDefault("batchSize", "10"));
    int bodyBytes = Integer.parseInt(args.getOrDefault("bodyBytes", "100"));
    int delayLevel = Integer.parseInt(args.getOrDefault("delayLevel", "0"));
    int timeoutMs = Integer.parseInt(args.getOrDefault("timeoutMs", "10000"));
    String prefix = args.getOrDefault("prefix", "m");

    DefaultMQProducer producer = new DefaultMQProducer(args.getOrDefault("group", "skiff_interop_producer"));
    producer.setNamesrvAddr(namesrv);
    producer.setSendMsgTimeout(timeoutMs);
    producer.setRetryTimesWhenSendFailed(4);
    producer.setCompressMsgBodyOverHowmuch(1 << 30); // bodies stored as sent, so tests can compare bytes
    producer.setInstanceName("skiff-interop-" + ProcessHandle.current().pid());
    producer.start();
    int sent = 0;
    try {
      int batchEvery = batches > 0 ? Math.max(1, singles / batches) : Integer.MAX_VALUE;
      int batchNo = 0;
      long routeDeadline = System.currentTimeMillis() + Integer.parseInt(args.getOrDefault("routeWaitMs", "30000"));
      for (int i = 0; i < singles; i++) {
        print(i == 0 ? firstSend(producer, single(topic, prefix, i, bodyBytes), routeDeadline) : producer.send(single(topic, prefix, i, bodyBytes)), 0);
        sent++;
        if ((i + 1) % batchEvery == 0 && batchNo < batches) {
          sent += sendBatch(producer, topic, prefix, batchNo++, batchSize, bodyBytes);
        }
      }
      while (batchNo < batches) sent += sendBatch(producer, topic, prefix, batchNo++, batchSize, bodyBytes);
      if (delayLevel > 0) {
        Message delayed = new Message(topic, "TagDelay", prefix + "-delayed", (prefix + "-delayed body").getBytes(StandardCharsets.UTF_8));
        delayed.putUserProperty("kind", "delayed");
        delayed.setDelayTimeLevel(delayLevel);
        print(producer.send(delayed), 0);
        sent++;
      }
      System.out.println("DONE " + sent);
    } catch (Exception e) {
      System.out.flush();
      e.printStackTrace();
      System.exit(3);
    } finally {
      producer.shutdown();
    }
    System.exit(0);
  }

  // A broker registers its routes (TBW102 for auto-created topics) some time after its boot line
  // (5.3.3: up to 10 s); until then the name server answers "No route info".
  static SendResult firstSend(DefaultMQProducer producer, Message m, long deadline) throws Exception {
    for (;;) {
      try {
        return producer.send(m);
      } catch (org.apache.rocketmq.client.exception.MQClientException e) {
        if (System.currentTimeMillis() > deadline || !String.valueOf(e.getMessage()).contains("route info")) throw e;
        Thread.sleep(500);
      }
    }
  }

  static int sendBatch(DefaultMQProducer producer, String topic, String prefix, int batchNo, int size, int bodyBytes) throws Exception {
    List<Message> batch = new ArrayList<>();
    for (int j = 0; j < size; j++) {
      Message m = new Message(topic, "TagBatch", prefix + "-b" + batchNo + "-" + j, body(prefix + "-b" + batchNo + "-" + j, bodyBytes));
      m.putUserProperty("batchIdx", String.valueOf(j));
      m.putUserProperty("batchNo", String.valueOf(batchNo));
      batch.add(m);
    }
    SendResult result = producer.send(batch);
    String[] ids = result.getMsgId().split(",");
    for (int j = 0; j < ids.length; j++) {
      System.out.println("SENT " + ids[j] + " " + result.getMessageQueue().getQueueId() + " " + (result.getQueueOffset() + j) + " " + result.getSendStatus());
    }
    return size;
  }

  static Message single(String topic, String prefix, int i, int bodyBytes) {
    String tags = i % 7 == 6 ? null : "Tag" + (char) ('A' + i % 3);
    String keys = i % 5 == 4 ? null : prefix + "-key-" + i + " " + prefix + "-alt-" + i;
    Message m = new Message(topic, body(prefix + "-" + i, bodyBytes));
    if (tags != null) m.setTags(tags);
    if (keys != null) m.setKeys(keys);
    m.putUserProperty("seq", String.valueOf(i));
    if (i % 2 == 0) m.putUserProperty("userProp", "v" + i);
    if (i % 11 == 0) m.putUserProperty("unicode", "h\u00e9llo-\u6d88\u606f-" + i);
    return m;
  }

  static byte[] body(String head, int bodyBytes) {
    StringBuilder s = new StringBuilder(head).append(' ');
    while (s.length() < bodyBytes) s.append((char) ('a' + s.length() % 26));
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  static void print(SendResult r, int index) {
    System.out.println("SENT " + r.getMsgId() + " " + r.getMessageQueue().getQueueId() + " " + r.getQueueOffset() + " " + r.getSendStatus());
  }
}
