// mqadmin (rocketmq-tools' MQAdminStartup, the code behind `bin/mqadmin`) run once per stdin line
// in one JVM: a fresh `mqadmin` JVM takes about 3.7 s per command, mostly waiting for the admin
// client's threads at exit; here each command costs what the command itself costs. Every command
// builds and shuts down its own admin client, exactly as `mqadmin <command> …` does.
//
// usage: AdminSession          (ROCKETMQ_HOME must hold conf/logback_tools.xml)
// Input: one command per line, `<id>\t<argument>\t<argument>…` (tab-separated, e.g.
//   `7\ttopicStatus\t-n\t127.0.0.1:9876\t-t\tTopicA`).
// Output: whatever the command prints (stdout and stderr both, in order), then one line
//   {"event":"mqadmin-done","id":…,"elapsedMs":…}
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.rocketmq.tools.command.MQAdminStartup;

public class AdminSession {
  public static void main(String[] argv) throws Exception {
    System.setErr(System.out);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      String[] parts = line.split("\t");
      long started = System.currentTimeMillis();
      try {
        MQAdminStartup.main0(Arrays.copyOfRange(parts, 1, parts.length), null);
      } catch (Throwable e) {
        e.printStackTrace(System.out);
      }
      System.out.println();
      System.out.println(new ClientIo.Json().put("event", "mqadmin-done").put("id", parts[0]).put("elapsedMs", System.currentTimeMillis() - started));
      System.out.flush();
    }
    System.exit(0);
  }
}
