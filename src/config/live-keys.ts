/**
 * The broker keys that may change while the broker runs (RocketMQ's UPDATE_BROKER_CONFIG,
 * `mqadmin updateBrokerConfig`): only keys that every part of Skiff reads afresh each time it
 * needs them. Each entry says who reads it; a key whose reader copied it at start (ports, the
 * store's sizes and flush settings, HA settings, the registration period, the role — which has
 * its own switch) is not here, and changing it needs a restart.
 *
 * A key of Apache RocketMQ's that Skiff does not use (`rocketmq-keys.ts`, e.g. `deleteWhen`,
 * `fileReservedTime`) may be set live too: it is kept and shown, as a `broker.conf` line with it is
 * accepted at start, and it changes nothing.
 */

export const LIVE_BROKER_KEYS: Readonly<Record<string, string>> = {
  autoCreateTopicEnable: "the send path, on every send to an unknown topic",
  defaultTopicQueueNums: "the send path, when it creates a topic",
  slaveTimeout: "the send path, on every SYNC_MASTER send",
  slaveReadEnable: "the pull path, on every pull (suggestWhichBrokerId)",
  namesrvAddr: "the name-server registration, at its next period",
};

export function isLiveBrokerKey(key: string): boolean {
  return Object.hasOwn(LIVE_BROKER_KEYS, key);
}
