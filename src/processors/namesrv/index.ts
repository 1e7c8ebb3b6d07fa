/**
 * The name server's remoting front: every request code it serves, one processor each, over the
 * route table the HTTP front shares (`src/namesrv/`). The composition root serves this table with
 * a `RemotingServer` on the name server's `listenPort`, with `errorAnswer` from
 * `../error-answers.ts` (a refused registration is SYSTEM_ERROR with the reason); every other code
 * is answered REQUEST_CODE_NOT_SUPPORTED by the server itself.
 *
 * | code | name                               | file                  |
 * |------|------------------------------------|-----------------------|
 * | 103  | REGISTER_BROKER                    | broker-processors.ts  |
 * | 104  | UNREGISTER_BROKER                  | broker-processors.ts  |
 * | 322  | QUERY_DATA_VERSION                 | broker-processors.ts  |
 * | 105  | GET_ROUTEINFO_BY_TOPIC             | route-processors.ts   |
 * | 106  | GET_BROKER_CLUSTER_INFO            | route-processors.ts   |
 * | 206  | GET_ALL_TOPIC_LIST_FROM_NAMESERVER | route-processors.ts   |
 * | 216  | DELETE_TOPIC_IN_NAMESRV            | route-processors.ts   |
 */
import type { Clock } from "../../core/platform.ts";
import type { RouteTable } from "../../namesrv/route-table.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import { brokerProcessors } from "./broker-processors.ts";
import { routeProcessors } from "./route-processors.ts";

export interface NamesrvProcessorDeps {
  readonly routeTable: RouteTable;
  readonly clock: Pick<Clock, "now">;
}

export function namesrvProcessors(deps: NamesrvProcessorDeps): Map<number, RemotingProcessor> {
  return new Map([...brokerProcessors(deps), ...routeProcessors(deps)]);
}
