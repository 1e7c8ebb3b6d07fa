// A DefaultMQProducer driven by commands on stdin, one JVM reused by many checks (see ClientIo for
// the line formats). Compiled per RocketMQ version against that version's client jars.
//
// usage: SendClient namesrv=HOST:PORT [group=G] [sendTimeoutMs=15000] [retries=2]
// Commands (values percent-encoded):
//   send  id=I topic=T mode=sync|async|oneway [queueId=Q] [tags=] [keys=K1%20K2] [body=<base64>]
//         [delayLevel=L] [flag=F] [p.NAME=VALUE]…        one message
//   batch id=I topic=T n=N [queueId=Q] m0.tags= m0.keys= m0.body= m0.p.NAME=VALUE … m<N-1>.…
//   queues id=I topic=T                                  the publish queues the client sees
//   stop                                                 shut down and exit 0
// Events: {"event":"ready"}; per command {"event":"result","id":…,"ok":true,…}: a send has status
// (SendStatus), msgId (the client's UNIQ_KEY), offsetMsgId, topic, brokerName, queueId, queueOffset;
// a batch has msgIds and offsetMsgIds (one per message) and the first message's queueOffset; a oneway
// send only ok; a failure has ok:false, exception (class), responseCode, message, causes.
// The route of a topic is refreshed from the name server only when the client needs one
// (pollNameServerInterval is 10 minutes), so a check can tell the broker's refusal from the route's.
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;

public class SendClient {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = ClientIo.args(argv);
    // accessKey/secretKey: every request signed by RocketMQ's AclClientRPCHook (rocketmq-acl on 4.9.x, rocketmq-client since 5.3.3).
    DefaultMQProducer producer = args.containsKey("accessKey")
        ? new DefaultMQProducer(args.getOrDefault("group", "skiff_remoting_producer"),
            new AclClientRPCHook(new SessionCredentials(args.get("accessKey"), ClientIo.required(args, "secretKey"))))
        : new DefaultMQProducer(args.getOrDefault("group", "skiff_remoting_producer"));
    producer.setNamesrvAddr(ClientIo.required(args, "namesrv"));
    producer.setInstanceName("send-" + ProcessHandle.current().pid());
    producer.setClientIP("127.0.0.1");
    producer.setSendMsgTimeout(Integer.parseInt(args.getOrDefault("sendTimeoutMs", "15000")));
    producer.setRetryTimesWhenSendFailed(Integer.parseInt(args.getOrDefault("retries", "2")));
    producer.setRetryTimesWhenSendAsyncFailed(Integer.parseInt(args.getOrDefault("retries", "2")));
    producer.setPollNameServerInterval(600_000);
    producer.start();
    ClientIo.emit(new ClientIo.Json().put("event", "ready").put("at", System.currentTimeMillis()));
    try {
      ClientIo.commands((c) -> {
        handle(producer, c);
        return true;
      });
    } finally {
      producer.shutdown();
      ClientIo.emit(new ClientIo.Json().put("event", "stopped").put("at", System.currentTimeMillis()));
    }
    System.exit(0);
  }

  static void handle(DefaultMQProducer producer, Map<String, String> c) throws Exception {
    String id = c.get("id"), topic = c.get("topic");
    switch (c.get("_")) {
      case "send": {
        Message m = message(topic, c, "");
        MessageQueue mq = c.containsKey("queueId") ? queue(producer, topic, Integer.parseInt(c.get("queueId"))) : null;
        long started = System.currentTimeMillis();
        switch (c.getOrDefault("mode", "sync")) {
          case "sync":
            ClientIo.emit(result(id, mq == null ? producer.send(m) : producer.send(m, mq), started));
            break;
          case "async": {
            SendCallback callback = new SendCallback() {
              public void onSuccess(SendResult r) { ClientIo.emit(result(id, r, started)); }
              public void onException(Throwable e) { ClientIo.emit(ClientIo.failure(new ClientIo.Json().put("event", "result").put("id", id), e)); }
            };
            if (mq == null) producer.send(m, callback);
            else producer.send(m, mq, callback);
            break;
          }
          case "oneway":
            if (mq == null) producer.sendOneway(m);
            else producer.sendOneway(m, mq);
            ClientIo.emit(new ClientIo.Json().put("event", "result").put("id", id).put("ok", true).put("mode", "oneway"));
            break;
          default:
            throw new IllegalArgumentException("mode " + c.get("mode"));
        }
        return;
      }
      case "batch": {
        List<Message> batch = new ArrayList<>();
        for (int i = 0, n = Integer.parseInt(c.get("n")); i < n; i++) batch.add(message(topic, c, "m" + i + "."));
        long started = System.currentTimeMillis();
        SendResult r = c.containsKey("queueId") ? producer.send(batch, queue(producer, topic, Integer.parseInt(c.get("queueId")))) : producer.send(batch);
        ClientIo.emit(result(id, r, started).raw("msgIds", ClientIo.jsonList(List.of(r.getMsgId().split(","))))
          .raw("offsetMsgIds", ClientIo.jsonList(List.of(r.getOffsetMsgId().split(",")))));
        return;
      }
      case "queues": {
        List<String> queues = new ArrayList<>();
        for (MessageQueue mq : producer.fetchPublishMessageQueues(topic)) queues.add(mq.getBrokerName() + "/" + mq.getQueueId());
        ClientIo.emit(new ClientIo.Json().put("event", "result").put("id", id).put("ok", true).raw("queues", ClientIo.jsonList(queues)));
        return;
      }
      default:
        throw new IllegalArgumentException("unknown command " + c.get("_"));
    }
  }

  /** The message described by the `prefix`ed keys of a command. */
  static Message message(String topic, Map<String, String> c, String prefix) {
    Message m = new Message(topic, ClientIo.base64(c.get(prefix + "body")));
    if (c.containsKey(prefix + "tags")) m.setTags(c.get(prefix + "tags"));
    if (c.containsKey(prefix + "keys")) m.setKeys(c.get(prefix + "keys"));
    if (c.containsKey(prefix + "delayLevel")) m.setDelayTimeLevel(Integer.parseInt(c.get(prefix + "delayLevel")));
    if (c.containsKey(prefix + "flag")) m.setFlag(Integer.parseInt(c.get(prefix + "flag")));
    String p = prefix + "p.";
    for (Map.Entry<String, String> e : c.entrySet()) {
      if (e.getKey().startsWith(p)) m.putUserProperty(e.getKey().substring(p.length()), e.getValue());
    }
    return m;
  }

  static MessageQueue queue(DefaultMQProducer producer, String topic, int queueId) throws Exception {
    for (MessageQueue mq : producer.fetchPublishMessageQueues(topic)) if (mq.getQueueId() == queueId) return mq;
    throw new IllegalArgumentException("topic " + topic + " has no publish queue " + queueId);
  }

  static ClientIo.Json result(String id, SendResult r, long started) {
    return new ClientIo.Json().put("event", "result").put("id", id).put("ok", true)
      .put("status", r.getSendStatus().name()).put("msgId", r.getMsgId()).put("offsetMsgId", r.getOffsetMsgId())
      .put("topic", r.getMessageQueue().getTopic()).put("brokerName", r.getMessageQueue().getBrokerName())
      .put("queueId", r.getMessageQueue().getQueueId()).put("queueOffset", r.getQueueOffset())
      .put("elapsedMs", System.currentTimeMillis() - started);
  }
}
