/** `redis+cluster://h:p,h:p` (or `rediss+cluster://`): a Redis Cluster, named by some of its nodes. */
export function isRedisClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\/./.test(url);
}

export interface ParsedRedisUrl {
  cluster: boolean;
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
}

/** Splits a REDIS_URL into what ioredis needs (credentials and db apply to every node). */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  const cluster = isRedisClusterUrl(url);
  const [scheme, rest] = url.split('://') as [string, string];
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? rest.slice(0, at) : '';
  const [hosts, path = ''] = rest.slice(at + 1).split('/', 2) as [string, string?];
  const [user, pass] = credentials ? (credentials.includes(':') ? credentials.split(/:(.*)/s, 2) : ['', credentials]) : ['', ''];
  const nodes = hosts.split(',').map((entry) => {
    const parsed = new URL(`redis://${entry}`);
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 6379) };
  });
  return {
    cluster,
    nodes,
    username: user ? decodeURIComponent(user) : undefined,
    password: pass ? decodeURIComponent(pass) : undefined,
    db: path ? Number(path) : 0,
    tls: scheme.startsWith('rediss'),
  };
}
