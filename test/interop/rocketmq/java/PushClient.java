// A DefaultMQPushConsumer (CLUSTERING) that runs until a line `stop` on stdin or the end of stdin,
// printing every message it is handed (see ClientIo). Two of them in one group share the queues.
//
// usage: PushClient namesrv=HOST:PORT group=G topic=T [subscription=*] [from=first|last]
//                   [listener=concurrent|orderly] [maxReconsumeTimes=N] [consumeSleepMs=0] [threads=4]
//                   [rebalanceWaitMs=N] [accessKey=AK secretKey=SK]
// accessKey/secretKey: every request signed by RocketMQ's AclClientRPCHook (rocketmq-acl on 4.9.x,
// rocketmq-client since 5.3.3), for a broker with aclEnable=true.
// Heartbeats go every 3 s (heartbeatBrokerInterval, 30 s by default): a 5.3.3 consumer whose heartbeat
// after a rebalance loses a race with another ("sendHeartbeatToAllBrokerWithLockV2 lock heartBeat, but
// failed") gets SUBSCRIPTION_NOT_LATEST for every pull until its next heartbeat.
// rebalanceWaitMs sets the client's rebalance period (rocketmq.client.rebalance.waitInterval, 20 s by
// default), which is also how soon a consumer starts pulling its %RETRY%<group> queue once that topic
// exists: 5.3.3 clients only find it on a periodic rebalance.
// What the listener answers is chosen by the sender, through the message's user property `reply`:
//   LATER_ONCE   RECONSUME_LATER while reconsumeTimes is 0, then CONSUME_SUCCESS
//   LATER_ALWAYS RECONSUME_LATER every time (so the message reaches %DLQ%<group> after maxReconsumeTimes)
//   anything else, or none: CONSUME_SUCCESS (orderly: SUCCESS)
// Events: {"event":"ready"} after start(); {"event":"message",…,"reply","consumeStartedAt",
// "consumeEndedAt","thread"} per message handed to the listener (consumeSleepMs between start and
// end); {"event":"assigned","queues":[…],"retryQueues":[…]} whenever the queues of `topic` (and of
// %RETRY%<group>) this consumer holds change (the rebalance's process-queue table, as
// "brokerName/queueId"); {"event":"stopped"} after shutdown().
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

public class PushClient {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = ClientIo.args(argv);
    if (args.containsKey("rebalanceWaitMs")) System.setProperty("rocketmq.client.rebalance.waitInterval", args.get("rebalanceWaitMs"));
    String topic = ClientIo.required(args, "topic");
    long sleepMs = Long.parseLong(args.getOrDefault("consumeSleepMs", "0"));
    int threads = Integer.parseInt(args.getOrDefault("threads", "4"));
    String group = ClientIo.required(args, "group");
    DefaultMQPushConsumer consumer = args.containsKey("accessKey")
        ? new DefaultMQPushConsumer(group, new AclClientRPCHook(new SessionCredentials(args.get("accessKey"), ClientIo.required(args, "secretKey"))), new AllocateMessageQueueAveragely())
        : new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(ClientIo.required(args, "namesrv"));
    consumer.setInstanceName("push-" + ProcessHandle.current().pid());
    consumer.setClientIP("127.0.0.1");
    consumer.setHeartbeatBrokerInterval(3000);
    consumer.setConsumeFromWhere("last".equals(args.get("from")) ? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET : ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.setConsumeThreadMin(threads);
    consumer.setConsumeThreadMax(threads);
    if (args.containsKey("maxReconsumeTimes")) consumer.setMaxReconsumeTimes(Integer.parseInt(args.get("maxReconsumeTimes")));
    consumer.subscribe(topic, args.getOrDefault("subscription", "*"));
    if ("orderly".equals(args.get("listener"))) {
      consumer.registerMessageListener((MessageListenerOrderly) (msgs, context) -> {
        for (MessageExt m : msgs) handed(m, "SUCCESS", sleepMs);
        return ConsumeOrderlyStatus.SUCCESS;
      });
    } else {
      consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
        boolean later = false;
        for (MessageExt m : msgs) {
          String reply = m.getUserProperty("reply");
          boolean thisLater = "LATER_ALWAYS".equals(reply) || ("LATER_ONCE".equals(reply) && m.getReconsumeTimes() == 0);
          handed(m, thisLater ? "RECONSUME_LATER" : "CONSUME_SUCCESS", sleepMs);
          later |= thisLater;
        }
        return later ? ConsumeConcurrentlyStatus.RECONSUME_LATER : ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      });
    }
    consumer.start();
    ClientIo.emit(new ClientIo.Json().put("event", "ready").put("at", System.currentTimeMillis()));
    Thread watcher = new Thread(() -> watchAssignment(consumer, topic, "%RETRY%" + group), "assignment-watcher");
    watcher.setDaemon(true);
    watcher.start();
    try {
      ClientIo.commands((c) -> {
        throw new IllegalArgumentException("PushClient only knows `stop`");
      });
    } finally {
      consumer.shutdown();
      ClientIo.emit(new ClientIo.Json().put("event", "stopped").put("at", System.currentTimeMillis()));
    }
    System.exit(0); // a 5.3.3 orderly consumer leaves non-daemon threads behind after shutdown()
  }

  static void handed(MessageExt m, String reply, long sleepMs) {
    long started = System.currentTimeMillis();
    if (sleepMs > 0) {
      try {
        Thread.sleep(sleepMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ClientIo.emit(ClientIo.message(m).put("reply", reply).put("consumeStartedAt", started)
      .put("consumeEndedAt", System.currentTimeMillis()).put("thread", Thread.currentThread().getName()));
  }

  /** Prints the queues of `topic` and `retryTopic` in the rebalance's process-queue table whenever they change. */
  static void watchAssignment(DefaultMQPushConsumer consumer, String topic, String retryTopic) {
    String last = null;
    while (true) {
      TreeSet<String> queues = new TreeSet<>(), retryQueues = new TreeSet<>();
      for (MessageQueue mq : consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet()) {
        if (mq.getTopic().equals(topic)) queues.add(mq.getBrokerName() + "/" + mq.getQueueId());
        if (mq.getTopic().equals(retryTopic)) retryQueues.add(mq.getBrokerName() + "/" + mq.getQueueId());
      }
      String now = ClientIo.jsonList(new ArrayList<>(queues)) + ClientIo.jsonList(new ArrayList<>(retryQueues));
      if (!now.equals(last)) {
        ClientIo.emit(new ClientIo.Json().put("event", "assigned").raw("queues", ClientIo.jsonList(new ArrayList<>(queues)))
          .raw("retryQueues", ClientIo.jsonList(new ArrayList<>(retryQueues))).put("at", System.currentTimeMillis()));
        last = now;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
