/**
 * Retention over remoting: `mqadmin deleteExpiredCommitLog -b <addr>` (4.9.7 and 5.3.3), answered
 * as Java's AdminBrokerProcessor does (spec rocketmq-remoting §11.1). What it sets off is the
 * store's (src/store/retention.ts).
 *
 * | code                        | request          | answer                                                |
 * |-----------------------------|------------------|-------------------------------------------------------|
 * | 329 DELETE_EXPIRED_COMMITLOG | no header, no body | 0, no remark: the next 20 retention passes delete expired commit-log segments whatever `deleteWhen` says (still only those older than `fileReservedTime`, unless the disk is above `diskSpaceCleanForciblyRatio`) |
 *
 * Any role answers it: a slave keeps its own retention.
 */
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";

export function retentionProcessors(runtime: BrokerRuntime): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const deleteExpiredCommitLog: RemotingProcessor = () => {
    runtime.store.deleteExpiredFilesManually();
    return { code: ResponseCode.SUCCESS };
  };
  return [[RequestCode.DELETE_EXPIRED_COMMITLOG, deleteExpiredCommitLog]];
}
