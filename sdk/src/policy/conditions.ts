/**
 * Policy conditions are data, evaluated here by Plinto's own code: nothing a tenant writes is ever
 * executed. A policy applies only when every condition it has holds; a condition whose input is
 * missing (no client IP, no such attribute) does not hold.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface AttributeCondition {
  /** `subject.<attr>`, `resource.<attr>` or `context.<attr>` (dotted for nested attributes). */
  attribute: string;
  operator: 'equals' | 'notEquals' | 'in' | 'notIn';
  /** A literal to compare with … */
  value?: string | number | boolean | (string | number)[];
  /** … or another attribute, e.g. `subject.id` for "resource owner equals subject". */
  valueFrom?: string;
}

export interface PolicyConditions {
  /** The client IP must fall in one of these CIDR ranges (IPv4 or IPv6). */
  ipRanges?: string[];
  /** Local days and hours (`HH:MM`, end exclusive, wrapping past midnight when end ≤ start). */
  timeWindow?: { days?: Weekday[]; hours?: { start: string; end: string }; timeZone?: string };
  /** The principal authenticated with more than one factor. */
  mfa?: boolean;
  attributes?: AttributeCondition[];
}

/** What conditions are evaluated against; built once per decision. */
export interface DecisionContext {
  ip: string | null;
  time: Date;
  mfa: boolean;
  /** The full subject (`user:<id>`) and its id part. */
  subject: string;
  subjectAttributes: Record<string, unknown>;
  resource: string;
  resourceAttributes: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface ConditionCheck {
  ok: boolean;
  /** The first condition that did not hold, for the explanation trace. */
  failed?: string;
}

export type CompiledConditions = (ctx: DecisionContext) => ConditionCheck;

const ATTRIBUTE_PATH = /^(subject|resource|context)(\.[A-Za-z_][A-Za-z0-9_-]{0,63}){1,4}$/;
export const isAttributePath = (path: string) => ATTRIBUTE_PATH.test(path);

/** RFC 8176 second-factor methods; `mfa` itself, or two distinct methods, also mean MFA. */
const SECOND_FACTORS = new Set(['mfa', 'otp', 'totp', 'hwk', 'swk', 'sms', 'webauthn', 'passkey', 'fido']);
export function mfaFromAmr(amr: unknown): boolean {
  if (!Array.isArray(amr)) return false;
  const methods = new Set(amr.filter((m): m is string => typeof m === 'string'));
  return [...methods].some((m) => SECOND_FACTORS.has(m)) || methods.size >= 2;
}

/**
 * Addresses as 16 bytes (IPv4 in its IPv4-mapped IPv6 form `::ffff:a.b.c.d`), so IPv4 ranges also
 * hold for IPv4-mapped clients (how Node reports IPv4 clients on dual-stack sockets) — the answers
 * of Node's `net.BlockList`, in plain JS for the edge. Null for anything that is not an address.
 */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function ipv4Bytes(text: string): number[] | null {
  const match = IPV4.exec(text);
  return match ? [1, 2, 3, 4].map((i) => Number(match[i])) : null;
}

function ipv6Bytes(text: string): number[] | null {
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const wordsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const words: number[] = [];
    const pieces = part.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = ipv4Bytes(piece);
        if (!v4) return null;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) words.push(parseInt(piece, 16));
      else return null;
    }
    return words;
  };
  const head = wordsOf(halves[0]!);
  const tail = halves.length === 2 ? wordsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

/** 4 for an IPv4 address, 6 for an IPv6 one, 0 otherwise (as `net.isIP`, without zone ids). */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (ipv4Bytes(text)) return 4;
  return ipv6Bytes(text) ? 6 : 0;
}

function addressBytes(text: string): number[] | null {
  const v4 = ipv4Bytes(text);
  return v4 ? [...MAPPED_PREFIX, ...v4] : ipv6Bytes(text);
}

export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  const version = ipVersion(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

interface Range {
  bytes: number[];
  /** Leading bits that must match, over the 16-byte form. */
  bits: number;
}

function rangeOf(cidr: string): Range | null {
  const parsed = parseCidr(cidr);
  const bytes = parsed ? addressBytes(parsed.address) : null;
  if (!parsed || !bytes) return null;
  return { bytes, bits: parsed.family === 'ipv4' ? parsed.prefix + 96 : parsed.prefix };
}

function inRange(address: number[], range: Range): boolean {
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole]! & mask) === (range.bytes[whole]! & mask);
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localTime(time: Date, zone: string): { day: Weekday; minutes: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, format);
  }
  let day: Weekday = 'sun';
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(time)) {
    if (part.type === 'weekday') day = part.value.slice(0, 3).toLowerCase() as Weekday;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minutes: hour * 60 + minute };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Own, plain properties only: `__proto__`, `constructor` and friends never resolve. */
function walk(root: unknown, keys: string[]): unknown {
  let node = root;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const idPart = (value: string) => {
  const colon = value.indexOf(':');
  return colon === -1 ? value : value.slice(colon + 1);
};

export function readAttribute(ctx: DecisionContext, path: string): unknown {
  const [scope, ...keys] = path.split('.');
  if (scope === 'subject') {
    if (keys.length === 1 && keys[0] === 'id') return idPart(ctx.subject);
    return walk(ctx.subjectAttributes, keys);
  }
  if (scope === 'resource') {
    if (keys.length === 1 && keys[0] === 'id' && !Object.hasOwn(ctx.resourceAttributes, 'id')) return idPart(ctx.resource);
    if (keys.length === 1 && keys[0] === 'type' && !Object.hasOwn(ctx.resourceAttributes, 'type')) {
      const colon = ctx.resource.indexOf(':');
      return colon === -1 ? undefined : ctx.resource.slice(0, colon);
    }
    return walk(ctx.resourceAttributes, keys);
  }
  return walk(ctx.extra, keys);
}

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function compare(operator: AttributeCondition['operator'], left: unknown, right: unknown): boolean {
  if (!scalar(left)) return false;
  switch (operator) {
    case 'equals':
      return scalar(right) && left === right;
    case 'notEquals':
      return scalar(right) && left !== right;
    case 'in':
      return Array.isArray(right) && right.includes(left);
    case 'notIn':
      return Array.isArray(right) && !right.includes(left);
  }
}

/** Turns a stored condition document into a function (closures over parsed data, no eval). */
export function compileConditions(conditions: PolicyConditions | null | undefined): CompiledConditions | null {
  if (!conditions) return null;
  const checks: { name: string; holds: (ctx: DecisionContext) => boolean }[] = [];
  if (conditions.ipRanges && conditions.ipRanges.length > 0) {
    const ranges = conditions.ipRanges.map(rangeOf).filter((range): range is Range => range !== null);
    checks.push({
      name: 'ipRanges',
      holds: (ctx) => {
        const address = ctx.ip ? addressBytes(ctx.ip) : null;
        return address !== null && ranges.some((range) => inRange(address, range));
      },
    });
  }
  const window = conditions.timeWindow;
  if (window && (window.days || window.hours)) {
    const zone = window.timeZone ?? 'UTC';
    const days = window.days ? new Set<string>(window.days) : null;
    const start = window.hours ? toMinutes(window.hours.start) : 0;
    const end = window.hours ? toMinutes(window.hours.end) : 0;
    checks.push({
      name: 'timeWindow',
      holds: (ctx) => {
        const local = localTime(ctx.time, zone);
        if (days && !days.has(local.day)) return false;
        if (!window.hours) return true;
        return start < end ? local.minutes >= start && local.minutes < end : local.minutes >= start || local.minutes < end;
      },
    });
  }
  if (conditions.mfa) checks.push({ name: 'mfa', holds: (ctx) => ctx.mfa });
  for (const [index, condition] of (conditions.attributes ?? []).entries()) {
    checks.push({
      name: `attributes.${index}`,
      holds: (ctx) => {
        const right = condition.valueFrom !== undefined ? readAttribute(ctx, condition.valueFrom) : condition.value;
        return compare(condition.operator, readAttribute(ctx, condition.attribute), right);
      },
    });
  }
  if (checks.length === 0) return null;
  return (ctx) => {
    for (const check of checks) if (!check.holds(ctx)) return { ok: false, failed: check.name };
    return { ok: true };
  };
}
