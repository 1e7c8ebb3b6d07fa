/**
 * Classic master/slave HA replication (spec §4): the master's service (`HaMaster`, one
 * `HaConnection` per slave), the slave's client (`HaClient`), their settings, and the frame codecs.
 */
export { HaMaster, MAX_REPLICATION_WAITERS, type HaMasterDeps, type RefusedSlave, type ReplicationStatus, type SlaveStatus } from "./ha-master.ts";
export { HaConnection, type HaConnectionDeps } from "./ha-connection.ts";
export { HaClient, CONNECT_TIMEOUT_MS, RECONNECT_BACKOFF_MAX_MS, RECONNECT_BACKOFF_MIN_MS, type BehindMasterRetention, type Divergence, type HaClientDeps, type HaClientState } from "./ha-client.ts";
export { checkAgreement, checkNextByte, findCommonPrefix, masterMinOffset, recordStartAtOrBefore, AGREEMENT_WINDOW_BYTES, BEHIND_RETENTION_FIX, PROBE_MAX_BYTES, type Agreement, type LocalLog, type MasterLogProbe, type ProbeAnswer } from "./log-agreement.ts";
export { HaClientConnection, type HaClientConnectionDeps } from "./ha-client-connection.ts";
export { haOptions, type HaOptions } from "./ha-options.ts";
export { OffsetReportDecoder, encodeOffsetReport, OFFSET_REPORT_SIZE } from "./codec/offset-report.ts";
export { TransferFrameDecoder, encodeTransferHeader, TRANSFER_HEADER_SIZE, type TransferFrame, type TransferHeader } from "./codec/transfer-frame.ts";
export { ReplicaStream, RECORD_OVERHEAD_MAX_BYTES, type ReplicaStreamOptions, type VerifiedRecords } from "./replica-stream.ts";
