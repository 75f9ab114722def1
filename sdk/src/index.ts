export { createPlintoClient, type PlintoClient, type PlintoClientOptions, type SubscriptionTransport } from './client/create.js';
export { TokenManager, SignedOutError, sessionTokensOf, type SessionTokens, type TokenManagerOptions } from './client/tokens.js';
export { createPlintoRest, type PlintoRestOptions } from './rest.js';
export { verifyWebhook, WebhookVerificationError, type WebhookEvent, type WebhookEventType, type WebhookEvents } from './webhooks.js';
export type { AppRouter, RouterInputs, RouterOutputs, PlintoErrorData } from './router.js';
