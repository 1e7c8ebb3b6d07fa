/**
 * The process's own metrics, the same on a broker and a name server: memory from the `SystemInfo`
 * port, start time, and event-loop delay measured with the clock (event-loop-delay.ts).
 *
 * | metric                               | type      | what                                          |
 * |--------------------------------------|-----------|-----------------------------------------------|
 * | process_resident_memory_bytes        | gauge     | resident set size (the standard name)          |
 * | process_start_time_seconds           | gauge     | wall-clock start, seconds since the epoch      |
 * | skiff_process_heap_used_bytes        | gauge     | JavaScript heap in use                         |
 * | skiff_event_loop_delay_seconds       | histogram | how late a 200 ms timer ran, every sample      |
 * | skiff_event_loop_delay_max_seconds   | gauge     | the largest of those in the last 10 s          |
 * | skiff_runtime_info{runtime}          | gauge     | 1; bun, deno, node (memory: tests)             |
 */
import { EventLoopDelay } from "./event-loop-delay.ts";
import { MetricsRegistry } from "./metrics.ts";
import type { Clock, SystemInfo } from "./platform.ts";

/** Event-loop lateness buckets, in seconds: 1 ms to 10 s. */
const DELAY_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Registers the process metrics; the returned sampler must be started and stopped with the server. */
export function registerProcessMetrics(registry: MetricsRegistry, system: SystemInfo, clock: Clock): EventLoopDelay {
  const startSeconds = clock.now() / 1000;
  const delays = registry.histogram({ name: "skiff_event_loop_delay_seconds", help: "How late a timer due every 200 ms ran: time the event loop spent on other work", buckets: DELAY_BUCKETS_SECONDS });
  const sampler = new EventLoopDelay(clock, (seconds) => delays.observe(seconds));
  registry.collected({ name: "skiff_event_loop_delay_max_seconds", help: "The largest event-loop delay of the last 10 seconds", type: "gauge" }, (emit) => emit({}, sampler.maxSeconds()));
  registry.collected({ name: "process_resident_memory_bytes", help: "Resident memory size in bytes", type: "gauge" }, (emit) => emit({}, system.residentMemoryBytes()));
  registry.collected({ name: "skiff_process_heap_used_bytes", help: "JavaScript heap in use, in bytes", type: "gauge" }, (emit) => emit({}, system.heapUsedBytes()));
  registry.collected({ name: "process_start_time_seconds", help: "Start time of the process since the epoch, in seconds", type: "gauge" }, (emit) => emit({}, startSeconds));
  registry.collected({ name: "skiff_runtime_info", help: "The JavaScript runtime this process runs on (always 1)", type: "gauge", labelNames: ["runtime"] }, (emit) => emit({ runtime: system.runtime }, 1));
  return sampler;
}
