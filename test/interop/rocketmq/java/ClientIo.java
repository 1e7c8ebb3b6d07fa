// What the remoting client programs (SendClient, PushClient, LitePullClient, AdminSession) share:
// key=value arguments, commands read from stdin, and one JSON line per event on stdout.
//
// Command lines (stdin): `<command> key=value key=value …`, every value percent-encoded
// (application/x-www-form-urlencoded: `%20` or `+` for a space), so values never hold a space.
// Events (stdout): one JSON object per line, always with "event"; other lines (the clients' own
// logging) never start with `{"event"`. Messages are printed as the Java client parsed them.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageClientExt;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;

final class ClientIo {
  private ClientIo() {}

  private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);

  /** `key=value` program arguments. Exits 2 on anything else. */
  static Map<String, String> args(String[] argv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        System.err.println("bad argument " + a + " (expected key=value)");
        System.exit(2);
      }
      out.put(a.substring(0, eq), a.substring(eq + 1));
    }
    return out;
  }

  static String required(Map<String, String> args, String key) {
    String v = args.get(key);
    if (v == null) {
      System.err.println(key + "= is required");
      System.exit(2);
    }
    return v;
  }

  /** One command line: "_" is the command, the rest its decoded key=value pairs (in order). */
  static Map<String, String> command(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] tokens = line.trim().split(" +");
    out.put("_", tokens[0]);
    for (int i = 1; i < tokens.length; i++) {
      int eq = tokens[i].indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("bad token " + tokens[i]);
      out.put(tokens[i].substring(0, eq), URLDecoder.decode(tokens[i].substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  interface Handler {
    /** Returns false to stop reading. */
    boolean handle(Map<String, String> command) throws Exception;
  }

  /** Reads commands until `stop`, end of input, or the handler says stop; a failing command is an "error" event. */
  static void commands(Handler handler) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      Map<String, String> command;
      try {
        command = command(line);
      } catch (RuntimeException e) {
        emit(new Json().put("event", "error").put("line", line).put("message", String.valueOf(e.getMessage())));
        continue;
      }
      if (command.get("_").equals("stop")) return;
      try {
        if (!handler.handle(command)) return;
      } catch (Exception e) {
        emit(failure(new Json().put("event", "result").put("id", command.get("id")), e));
      }
    }
  }

  static void emit(Json json) {
    synchronized (OUT) {
      OUT.println(json.toString());
    }
  }

  /** `ok:false`, the exception's class, its RocketMQ response code and message, and its causes. */
  static Json failure(Json json, Throwable e) {
    json.put("ok", false).put("exception", e.getClass().getName()).put("responseCode", responseCode(e)).put("message", String.valueOf(e.getMessage()));
    StringBuilder causes = new StringBuilder("[");
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (causes.length() > 1) causes.append(',');
      causes.append(new Json().put("exception", c.getClass().getName()).put("responseCode", responseCode(c)).put("message", String.valueOf(c.getMessage())));
    }
    return json.raw("causes", causes.append(']').toString());
  }

  static Integer responseCode(Throwable e) {
    if (e instanceof MQClientException) return ((MQClientException) e).getResponseCode();
    if (e instanceof MQBrokerException) return ((MQBrokerException) e).getResponseCode();
    return null;
  }

  /** A message as the client parsed it; `userProperties` leaves out RocketMQ's own keys (MessageConst.STRING_HASH_SET). */
  static Json message(MessageExt m) {
    Json props = new Json(), user = new Json();
    for (Map.Entry<String, String> e : new TreeMap<>(m.getProperties()).entrySet()) {
      props.put(e.getKey(), e.getValue());
      if (!MessageConst.STRING_HASH_SET.contains(e.getKey())) user.put(e.getKey(), e.getValue());
    }
    return new Json().put("event", "message")
      .put("topic", m.getTopic()).put("queueId", m.getQueueId()).put("queueOffset", m.getQueueOffset())
      .put("commitLogOffset", m.getCommitLogOffset()).put("msgId", m.getMsgId())
      .put("offsetMsgId", m instanceof MessageClientExt ? ((MessageClientExt) m).getOffsetMsgId() : null)
      .put("tags", m.getTags()).put("keys", m.getKeys()).put("flag", m.getFlag()).put("sysFlag", m.getSysFlag())
      .put("bodyBase64", Base64.getEncoder().encodeToString(m.getBody() == null ? new byte[0] : m.getBody()))
      .raw("properties", props.toString()).raw("userProperties", user.toString())
      .put("reconsumeTimes", m.getReconsumeTimes()).put("bornTimestamp", m.getBornTimestamp()).put("storeTimestamp", m.getStoreTimestamp())
      .put("bornHost", String.valueOf(m.getBornHost())).put("storeHost", String.valueOf(m.getStoreHost()))
      .put("receivedAt", System.currentTimeMillis());
  }

  static String jsonList(List<String> values) {
    StringBuilder s = new StringBuilder("[");
    for (String v : values) {
      if (s.length() > 1) s.append(',');
      s.append(Json.str(v));
    }
    return s.append(']').toString();
  }

  /** A JSON object built in insertion order; values are strings, numbers, booleans, null or raw JSON. */
  static final class Json {
    private final StringBuilder s = new StringBuilder("{");

    Json put(String key, Object value) {
      String v = value == null ? "null" : value instanceof Number || value instanceof Boolean ? value.toString() : str(value.toString());
      return raw(key, v);
    }

    Json raw(String key, String json) {
      if (s.length() > 1) s.append(',');
      s.append(str(key)).append(':').append(json);
      return this;
    }

    @Override
    public String toString() {
      return s + "}";
    }

    static String str(String v) {
      if (v == null) return "null";
      StringBuilder out = new StringBuilder("\"");
      for (char c : v.toCharArray()) {
        if (c == '"' || c == '\\') out.append('\\').append(c);
        else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
        else out.append(c);
      }
      return out.append('"').toString();
    }
  }

  static byte[] base64(String text) {
    return text == null ? new byte[0] : Base64.getDecoder().decode(text);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
