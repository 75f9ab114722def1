import { createHash } from 'node:crypto';
import { SecretBox, secretBoxFor, type Config } from '@plinto/kernel';
import { webhookConfig } from './config';

const boxes = new WeakMap<Config, SecretBox>();

/**
 * Signing secrets are encrypted at rest (AES-256-GCM): a database dump alone does not let anyone
 * forge deliveries. The key is WEBHOOK_SECRETS_KEY when set, else one derived from the master key
 * (PLINTO_MASTER_KEY, required in production).
 */
export function secretBox(config: Config): SecretBox {
  let box = boxes.get(config);
  if (!box) {
    const material = webhookConfig(config).WEBHOOK_SECRETS_KEY;
    box = material ? new SecretBox(createHash('sha256').update(material).digest()) : secretBoxFor(config, 'webhook-secrets');
    boxes.set(config, box);
  }
  return box;
}

/** Throws (at boot) when signing secrets could not be sealed: production without a key. */
export function assertSecretsKey(config: Config): void {
  secretBox(config);
}
