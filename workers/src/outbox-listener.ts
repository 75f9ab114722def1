import pg from 'pg';
import type { Logger } from '@plinto/kernel';

/**
 * LISTENs for `plinto_outbox` (sent by the writing process right after a commit that wrote outbox
 * rows, outside that transaction — see kernel events/wake.ts) and calls every subscriber, so the relay and the chainer react in milliseconds instead
 * of waiting for their next poll. Polling stays as the fallback: when this connection drops, it
 * reconnects with a backoff and nothing is lost in between.
 */
export class OutboxListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    private readonly subscribers: (() => void)[],
  ) {}

  async start(attempt = 0): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    const reconnect = () => {
      if (this.stopped || this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      this.retry = setTimeout(() => void this.start(attempt + 1), Math.min(250 * 2 ** attempt, 10_000));
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
    client.on('notification', () => this.subscribers.forEach((wake) => wake()));
    try {
      this.client = client;
      await client.connect();
      await client.query('listen plinto_outbox');
      attempt = 0;
    } catch (error) {
      if (attempt === 0) this.logger.warn({ err: error }, 'outbox listener cannot connect; polling only until it can');
      reconnect();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
