import type { Config } from '@plinto/kernel';
import { webhookConfig } from './config';
import { SecretBox } from './signing';

const boxes = new WeakMap<Config, SecretBox>();

/** The process's SecretBox for this configuration (one per Config object). */
export function secretBox(config: Config): SecretBox {
  let box = boxes.get(config);
  if (!box) {
    box = new SecretBox(webhookConfig(config).WEBHOOK_SECRETS_KEY, config.NODE_ENV === 'production');
    boxes.set(config, box);
  }
  return box;
}

/** Throws (at boot) when signing secrets could not be sealed: production without WEBHOOK_SECRETS_KEY. */
export function assertSecretsKey(config: Config): void {
  secretBox(config);
}
