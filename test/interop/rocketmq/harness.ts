/**
 * Real Apache RocketMQ peers for Skiff's interop tests, in one import: where the tests run
 * (`env.ts`), child processes (`processes.ts`), the Java peers (`java-peers.ts`), Skiff as a process
 * (`skiff-peer.ts`), commit-log files (`commit-log-files.ts`) and an HA relay (`relay.ts`).
 * README.md in this folder says how to run them.
 */
export * from "./env.ts";
export * from "./processes.ts";
export * from "./java-peers.ts";
export * from "./skiff-peer.ts";
export * from "./commit-log-files.ts";
export * from "./relay.ts";
