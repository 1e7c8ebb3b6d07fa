/**
 * The name server's broker codes (store spec §7): REGISTER_BROKER (103), UNREGISTER_BROKER (104)
 * and QUERY_DATA_VERSION (322), over the route table shared with the HTTP front.
 *
 * - 103: the request is read by `register-broker-request.ts`; the answer is SUCCESS with
 *   RocketMQ's `RegisterBrokerResponseHeader` — `masterAddr` and `haServerAddr` of the live
 *   master for a slave, no field for a master (extFields `{}`), no body (no ordered-topic KV
 *   config) — plus Skiff's `masterHttpAddr` when that master registered an `httpAddr`.
 *   The registration is tied to its connection: when the connection closes, every broker whose
 *   latest registration came over it leaves the table (RocketMQ's BrokerHousekeepingService);
 *   the expiry scan still removes a broker that stays connected but stops registering.
 * - 104: removes the broker if it is registered under that cluster, name and id at that address
 *   (5.x's check: an old broker's farewell must not remove its successor); SUCCESS either way.
 * - 322: body DataVersion JSON; answers `changed` ("true" unless the broker is registered with
 *   exactly that version, which then counts as a registration for the expiry) and the name
 *   server's DataVersion for it as the body (none when it is unknown).
 */
import type { Clock } from "../../core/platform.ts";
import { dataVersionSchema } from "../../namesrv/route-schema.ts";
import type { RouteTable } from "../../namesrv/route-table.ts";
import type { BrokerInfo } from "../../contract/namesrv-http.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingChannel, RemotingProcessor } from "../../remoting/remoting-server.ts";
import { jsonBody } from "../request-body.ts";
import { dataVersionBody } from "./namesrv-bodies.ts";
import { brokerAtAddress, readRegisterBroker, type BrokerAtAddress } from "./register-broker-request.ts";

export interface BrokerProcessorDeps {
  readonly routeTable: RouteTable;
  /** Registration times (wall clock, as the expiry scan's). */
  readonly clock: Pick<Clock, "now">;
}

export function brokerProcessors({ routeTable, clock }: BrokerProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const watched = new WeakSet<RemotingChannel>();
  const watch = (channel: RemotingChannel) => {
    if (watched.has(channel)) return;
    watched.add(channel);
    channel.onClose(() => routeTable.unregisterChannel(channel));
  };

  const register: RemotingProcessor = async (request, channel) => {
    const registration = await readRegisterBroker(request);
    if (!channel.isOpen) return null; // closed while the body was read: nothing to tie it to
    const result = routeTable.register(registration, clock.now(), channel);
    watch(channel);
    const extFields: Record<string, string> = {};
    if (result.masterAddr !== null) extFields.masterAddr = result.masterAddr;
    if (result.haServerAddr !== null) extFields.haServerAddr = result.haServerAddr;
    if (result.masterHttpAddr) extFields.masterHttpAddr = result.masterHttpAddr;
    return { code: ResponseCode.SUCCESS, extFields };
  };

  const unregister: RemotingProcessor = (request) => {
    const broker = brokerAtAddress(request);
    if (registered(routeTable, broker)) routeTable.unregister(broker.clusterName, broker.brokerName, broker.brokerId);
    return { code: ResponseCode.SUCCESS };
  };

  const queryDataVersion: RemotingProcessor = (request) => {
    const broker = brokerAtAddress(request);
    const asked = jsonBody(dataVersionSchema, request, "DataVersion");
    const known = registered(routeTable, broker);
    const changed = !known || !sameVersion(known.dataVersion, asked);
    if (known && !changed) routeTable.touch(broker.brokerName, broker.brokerId, clock.now());
    return { code: ResponseCode.SUCCESS, extFields: { changed: String(changed) }, ...(known ? { body: dataVersionBody(known.dataVersion) } : {}) };
  };

  return [
    [RequestCode.REGISTER_BROKER, register],
    [RequestCode.UNREGISTER_BROKER, unregister],
    [RequestCode.QUERY_DATA_VERSION, queryDataVersion],
  ];
}

/** The broker registered under that cluster, name and id at that address; null otherwise. */
function registered(routeTable: RouteTable, { clusterName, brokerName, brokerId, brokerAddr }: BrokerAtAddress): BrokerInfo | null {
  const broker = routeTable.find(brokerName, brokerId);
  return broker && broker.clusterName === clusterName && broker.brokerAddr === brokerAddr ? broker : null;
}

/** RocketMQ's `DataVersion.equals` (5.x compares stateVersion too; 4.9 brokers send none). */
function sameVersion(a: BrokerInfo["dataVersion"], b: BrokerInfo["dataVersion"]): boolean {
  return a.counter === b.counter && a.timestamp === b.timestamp && (a.stateVersion ?? 0) === (b.stateVersion ?? 0);
}
