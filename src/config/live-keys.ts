/**
 * The broker keys that may change while the broker runs (RocketMQ's UPDATE_BROKER_CONFIG,
 * `mqadmin updateBrokerConfig`): only keys that every part of Skiff reads afresh each time it
 * needs them. Each entry says who reads it; a key whose reader copied it at start (ports, the
 * store's sizes and flush settings, HA settings, the registration period, the role — which has
 * its own switch) is not here, and changing it needs a restart.
 *
 * A key of Apache RocketMQ's that Skiff does not use (`rocketmq-keys.ts`, e.g.
 * `sendMessageThreadPoolNums`) may be set live too: it is kept and shown, as a `broker.conf` line
 * with it is accepted at start, and it changes nothing. Retention's keys are live as in RocketMQ,
 * which reads them at every pass (an operator switches `deleteWhen` to the current hour to
 * delete now, as the spec's retention run did).
 */

export const LIVE_BROKER_KEYS: Readonly<Record<string, string>> = {
  autoCreateTopicEnable: "the send path, on every send to an unknown topic",
  defaultTopicQueueNums: "the send path, when it creates a topic",
  slaveTimeout: "the send path, on every SYNC_MASTER send",
  slaveReadEnable: "the pull path, on every pull (suggestWhichBrokerId)",
  namesrvAddr: "the name-server registration, at its next period",
  deleteWhen: "retention, at its next pass (cleanResourceInterval)",
  fileReservedTime: "retention, at its next pass",
  deleteCommitLogFilesInterval: "retention, at its next pass",
  deleteConsumeQueueFilesInterval: "retention, at its next pass",
  destroyMapedFileIntervalForcibly: "retention, at its next pass",
  redeleteHangedFileInterval: "retention, at its next pass",
  deleteFileBatchMax: "retention, at its next pass",
  diskMaxUsedSpaceRatio: "retention, at its next pass",
  diskSpaceWarningLevelRatio: "retention, at its next pass",
  diskSpaceCleanForciblyRatio: "retention, at its next pass",
  cleanFileForciblyEnable: "retention, at its next pass",
};

export function isLiveBrokerKey(key: string): boolean {
  return Object.hasOwn(LIVE_BROKER_KEYS, key);
}
