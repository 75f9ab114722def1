import { z } from 'zod';
import { tracked } from '@trpc/server';
import type { Context, ServiceContext } from '@plinto/kernel';
import { subscribe } from '../subscribe.service';
import { connectionOf } from '../transport';
import type { RealtimeMessage, StreamSpec } from '../streams';

/** `lastEventId`: tRPC's clients send the last tracked id back on reconnect (WebSocket and SSE alike). */
export const resumable = { lastEventId: z.string().max(64).nullish() };

/** Each message is tracked by its resumable id, so a reconnecting client resumes where it stopped. */
async function* trackedMessages(messages: AsyncIterable<RealtimeMessage>) {
  for await (const message of messages) yield tracked(message.id, message);
}

/** The body every stream procedure shares: subscribe through the service, on the transport's connection. */
export async function streamOf(ctx: Context & { sc: ServiceContext }, stream: StreamSpec, lastEventId: string | null | undefined, signal: AbortSignal | undefined) {
  const messages = await subscribe(ctx.sc, { stream, lastEventId, signal, connection: connectionOf(ctx, ctx.sc) });
  return trackedMessages(messages);
}
