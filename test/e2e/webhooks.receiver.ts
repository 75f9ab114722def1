import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { onCleanup } from '../src';

export interface Delivery {
  id: string;
  timestamp: number;
  headers: IncomingHttpHeaders;
  body: string;
  payload: any;
  /** Which of the receiver's secrets verified it (standardwebhooks, not Plinto's code). */
  verifiedWith: string[];
  at: number;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Secrets this receiver verifies with; set after creating the endpoint. */
  secrets: string[];
  /** Decides the answer to the n-th request (0-based) with a given webhook-id; default 200. */
  respond: (delivery: Delivery, nthForId: number, res: ServerResponse) => void;
  /** Distinct webhook-ids received (what a deduping receiver would process). */
  uniqueIds(): Set<string>;
  byId(id: string): Delivery[];
  close(): Promise<void>;
}

/** A receiver on loopback, the way a customer would write one: raw body, verify, answer. */
export async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const counts = new Map<string, number>();
  const receiver: Receiver = {
    url: '',
    deliveries,
    secrets: [],
    respond: (_d, _n, res) => res.writeHead(200).end('ok'),
    uniqueIds: () => new Set(deliveries.map((d) => d.id)),
    byId: (id) => deliveries.filter((d) => d.id === id),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const verifiedWith = receiver.secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      let payload: unknown = null;
      try {
        payload = JSON.parse(body);
      } catch {
        // recorded as is
      }
      const delivery: Delivery = { id, timestamp: Number(req.headers['webhook-timestamp']), headers: req.headers, body, payload, verifiedWith, at: Date.now() };
      deliveries.push(delivery);
      const n = counts.get(id) ?? 0;
      counts.set(id, n + 1);
      receiver.respond(delivery, n, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  onCleanup(() => receiver.close());
  return receiver;
}
