/**
 * The broker's RocketMQ remoting port (`listenPort`), held until the remoting server is wired in
 * its place: the port is bound (so a taken port fails the start, port 0 gets a real free port, and
 * the advertised `brokerAddr` = `brokerIP1:listenPort` is this broker's own), and every connection
 * is closed at once, with one log line per listener saying why. Skiff's HTTP API is on
 * `httpListenPort`; HA on `haListenPort`.
 */
import type { HostPort, Listener, Network } from "../core/platform.ts";

export async function holdRemotingPort(net: Network, at: HostPort, log: (line: string) => void): Promise<Listener> {
  let told = false;
  return net.listen(at, (connection) => {
    if (!told) {
      told = true;
      log(`remoting on ${at.host}:${connection.local.port} is not served yet: connections are closed (Skiff's HTTP API is on httpListenPort)`);
    }
    connection.close();
  });
}
