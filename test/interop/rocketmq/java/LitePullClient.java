// A DefaultLitePullConsumer (CLUSTERING) driven by commands on stdin (see ClientIo), in subscribe
// mode (the rebalance assigns the queues, auto commit) or assign mode (every queue of the topic,
// offsets moved with seek and committed with commitSync).
//
// usage: LitePullClient namesrv=HOST:PORT group=G topic=T mode=subscribe|assign [subscription=*]
//                       [from=first|last] [autoCommit=true|false] [autoCommitIntervalMs=5000] [pullBatchSize=10]
// Auto commit (subscribe mode) happens inside poll(), once autoCommitIntervalMs passed since the last
// commit; shutdown() persists to the broker only what was committed.
// Commands (values percent-encoded):
//   poll id=I count=N timeoutMs=M   poll() until N messages or M ms: one "message" event each, then a result with "count"
//   seek id=I queueId=Q offset=O    seek(queue Q, O)
//   commit id=I                     commitSync()
//   committed id=I                  committed(queue) for every assigned queue: result "offsets" {"<queueId>": offset}
//   stop                            shutdown() (which persists the offsets) and exit 0
// Events: {"event":"ready","queues":[…]} after start (assign mode: after assign(), the queue ids);
// {"event":"result","id":…,"ok":true,…} per command; failures as in ClientIo.
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

public class LitePullClient {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = ClientIo.args(argv);
    String topic = ClientIo.required(args, "topic");
    boolean assign = "assign".equals(ClientIo.required(args, "mode"));
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer(ClientIo.required(args, "group"));
    consumer.setNamesrvAddr(ClientIo.required(args, "namesrv"));
    consumer.setInstanceName("lite-" + ProcessHandle.current().pid());
    consumer.setClientIP("127.0.0.1");
    consumer.setConsumeFromWhere("last".equals(args.get("from")) ? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET : ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.setAutoCommit(!"false".equals(args.get("autoCommit")));
    if (args.containsKey("autoCommitIntervalMs")) consumer.setAutoCommitIntervalMillis(Long.parseLong(args.get("autoCommitIntervalMs")));
    consumer.setPullBatchSize(Integer.parseInt(args.getOrDefault("pullBatchSize", "10")));
    if (!assign) consumer.subscribe(topic, args.getOrDefault("subscription", "*"));
    consumer.start();
    List<String> queueIds = new ArrayList<>();
    if (assign) {
      Collection<MessageQueue> queues = queuesOf(consumer, topic, System.currentTimeMillis() + 30_000);
      consumer.assign(queues);
      for (MessageQueue mq : queues) queueIds.add(String.valueOf(mq.getQueueId()));
    }
    ClientIo.emit(new ClientIo.Json().put("event", "ready").put("at", System.currentTimeMillis()).raw("queues", ClientIo.jsonList(queueIds)));
    try {
      ClientIo.commands((c) -> {
        handle(consumer, topic, c);
        return true;
      });
    } finally {
      consumer.shutdown();
      ClientIo.emit(new ClientIo.Json().put("event", "stopped").put("at", System.currentTimeMillis()));
    }
    System.exit(0);
  }

  static void handle(DefaultLitePullConsumer consumer, String topic, Map<String, String> c) throws Exception {
    ClientIo.Json result = new ClientIo.Json().put("event", "result").put("id", c.get("id")).put("ok", true);
    switch (c.get("_")) {
      case "poll": {
        int wanted = Integer.parseInt(c.get("count"));
        long deadline = System.currentTimeMillis() + Long.parseLong(c.getOrDefault("timeoutMs", "10000"));
        int count = 0;
        while (count < wanted && System.currentTimeMillis() < deadline) {
          for (MessageExt m : consumer.poll(Math.max(1, Math.min(500, deadline - System.currentTimeMillis())))) {
            ClientIo.emit(ClientIo.message(m));
            count++;
          }
        }
        ClientIo.emit(result.put("count", count));
        return;
      }
      case "seek":
        consumer.seek(queue(consumer, topic, Integer.parseInt(c.get("queueId"))), Long.parseLong(c.get("offset")));
        ClientIo.emit(result);
        return;
      case "commit":
        consumer.commitSync();
        ClientIo.emit(result);
        return;
      case "committed": {
        ClientIo.Json offsets = new ClientIo.Json();
        TreeMap<Integer, MessageQueue> byId = new TreeMap<>();
        for (MessageQueue mq : consumer.assignment()) byId.put(mq.getQueueId(), mq);
        for (Map.Entry<Integer, MessageQueue> e : byId.entrySet()) offsets.put(String.valueOf(e.getKey()), consumer.committed(e.getValue()));
        ClientIo.emit(result.raw("offsets", offsets.toString()));
        return;
      }
      default:
        throw new IllegalArgumentException("unknown command " + c.get("_"));
    }
  }

  static MessageQueue queue(DefaultLitePullConsumer consumer, String topic, int queueId) throws Exception {
    for (MessageQueue mq : consumer.assignment()) if (mq.getTopic().equals(topic) && mq.getQueueId() == queueId) return mq;
    throw new IllegalArgumentException("queue " + queueId + " of " + topic + " is not assigned");
  }

  /** The topic's queues from the name server; a route that is not there yet is asked for again. */
  static Collection<MessageQueue> queuesOf(DefaultLitePullConsumer consumer, String topic, long deadline) throws Exception {
    for (;;) {
      try {
        Collection<MessageQueue> found = consumer.fetchMessageQueues(topic);
        if (!found.isEmpty()) {
          List<MessageQueue> sorted = new ArrayList<>(found);
          sorted.sort((a, b) -> Integer.compare(a.getQueueId(), b.getQueueId()));
          return sorted;
        }
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) throw e;
      }
      Thread.sleep(300);
    }
  }
}
