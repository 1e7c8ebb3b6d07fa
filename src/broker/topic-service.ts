/**
 * Topic administration that spans the metadata and the store: deleting a topic removes its
 * config (topics.json, DataVersion bumped) and then its consume queues (their directory under
 * consumequeue/); the commit log, append-only, is untouched.
 */
import { SkiffError } from "../core/errors.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { MessageStore } from "../store/message-store.ts";

export interface TopicServiceDeps {
  readonly metadata: Metadata;
  readonly store: MessageStore;
}

export class TopicService {
  private readonly deps: TopicServiceDeps;

  constructor(deps: TopicServiceDeps) {
    this.deps = deps;
  }

  /** Deletes `name`'s config and consume queues; TOPIC_NOT_EXIST when it has no config. */
  async delete(name: string): Promise<void> {
    if (!(await this.deps.metadata.topics.delete(name))) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${name} does not exist`);
    await this.deps.store.deleteTopicQueues(name);
  }
}
