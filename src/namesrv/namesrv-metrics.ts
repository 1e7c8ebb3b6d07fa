/**
 * The name server's metrics (`GET /metrics` on its HTTP port): the route table's size, its changes
 * as they happen (the same events the name server logs), and the process metrics
 * (src/core/process-metrics.ts) when the platform's `SystemInfo` is given.
 *
 * | metric                              | type    | labels | what                                             |
 * |-------------------------------------|---------|--------|--------------------------------------------------|
 * | skiff_namesrv_brokers               | gauge   | —      | brokers registered                               |
 * | skiff_namesrv_topics                | gauge   | —      | topics with a route                              |
 * | skiff_namesrv_route_changes_total   | counter | change | registered, moved, new_topic_config, unregistered, disconnected, expired, queue_data_dropped |
 * | skiff_acl_refused_total             | counter | protocol | requests the ACL refused (aclEnable=true): remoting, http |
 *
 * Every label value is one of a fixed set: the registry's series limit is never reached.
 */
import { MetricsRegistry, type Counter } from "../core/metrics.ts";
import { registerProcessMetrics } from "../core/process-metrics.ts";
import type { EventLoopDelay } from "../core/event-loop-delay.ts";
import type { Clock, SystemInfo } from "../core/platform.ts";
import type { RouteTable, RouteTableEvent } from "./route-table.ts";

/** More than the fixed label values of any name-server metric. */
const SERIES_MAX = 100;

export class NamesrvMetrics {
  readonly registry = new MetricsRegistry({ prefix: "skiff_", seriesMax: SERIES_MAX });
  private readonly changes: Counter;
  private readonly aclRefusals: Counter;
  private readonly eventLoop: EventLoopDelay | null;

  constructor(routeTable: RouteTable, clock: Clock, system?: SystemInfo) {
    const registry = this.registry;
    registry.collected({ name: "skiff_namesrv_brokers", help: "Brokers registered in this name server", type: "gauge" }, (emit) => emit({}, routeTable.counts().brokerCount));
    registry.collected({ name: "skiff_namesrv_topics", help: "Topics with a route in this name server", type: "gauge" }, (emit) => emit({}, routeTable.counts().topicCount));
    this.changes = registry.counter({ name: "skiff_namesrv_route_changes_total", help: "Changes of the route table, by kind (refreshes that change nothing are not counted)", labelNames: ["change"] });
    this.aclRefusals = registry.counter({ name: "skiff_acl_refused_total", help: "Requests the ACL refused, by protocol (remoting, http)", labelNames: ["protocol"] });
    this.eventLoop = system ? registerProcessMetrics(registry, system, clock) : null;
  }

  /** One change of the route table (the name server's onChange). */
  changed(event: RouteTableEvent): void {
    const change = event.kind === "registered"
      ? { new: "registered", address: "moved", topics: "new_topic_config" }[event.change]
      : event.kind.replace(/-/g, "_");
    this.changes.inc({ change });
  }

  aclRefused(protocol: "remoting" | "http"): void {
    this.aclRefusals.inc({ protocol });
  }

  start(): void {
    this.eventLoop?.start();
  }

  stop(): void {
    this.eventLoop?.stop();
  }

  render(): Promise<string> {
    return this.registry.render();
  }
}
