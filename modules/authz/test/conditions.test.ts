import { describe, expect, it } from 'vitest';
import { compileConditions, mfaFromAmr, parseCidr, type DecisionContext } from '../src/engine/conditions';
import { keyMatch, rankOf } from '../src/engine/model';

const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  ip: null,
  time: new Date('2026-11-23T12:00:00Z'),
  mfa: false,
  subject: 'user:u1',
  subjectAttributes: {},
  resource: 'invoice:9',
  resourceAttributes: {},
  extra: {},
  ...over,
});
const holds = (conditions: Parameters<typeof compileConditions>[0], over: Partial<DecisionContext> = {}) => compileConditions(conditions)!(ctx(over)).ok;

describe('conditions', () => {
  it('ip ranges: IPv4, IPv6, IPv4-mapped IPv6, no address', () => {
    const c = { ipRanges: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] };
    expect(holds(c, { ip: '10.255.0.1' })).toBe(true);
    expect(holds(c, { ip: '::ffff:10.1.1.1' })).toBe(true);
    expect(holds(c, { ip: '2001:db8:1::5' })).toBe(true);
    expect(holds(c, { ip: '192.0.2.7' })).toBe(true);
    expect(holds(c, { ip: '192.0.2.8' })).toBe(false);
    expect(holds(c, { ip: '11.0.0.1' })).toBe(false);
    expect(holds(c, { ip: null })).toBe(false);
    expect(holds(c, { ip: 'garbage' })).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0/8x')).toBeNull();
  });

  it('time windows: days, hours wrapping midnight, zones with daylight saving', () => {
    const night = { timeWindow: { hours: { start: '22:00', end: '06:00' }, timeZone: 'UTC' } };
    expect(holds(night, { time: new Date('2026-11-23T23:30:00Z') })).toBe(true);
    expect(holds(night, { time: new Date('2026-11-23T05:59:00Z') })).toBe(true);
    expect(holds(night, { time: new Date('2026-11-23T06:00:00Z') })).toBe(false);
    const ny = { timeWindow: { days: ['mon' as const], hours: { start: '09:00', end: '10:00' }, timeZone: 'America/New_York' } };
    expect(holds(ny, { time: new Date('2026-11-23T14:30:00Z') })).toBe(true); // EST, UTC-5
    expect(holds(ny, { time: new Date('2026-06-22T13:30:00Z') })).toBe(true); // EDT, UTC-4
    expect(holds(ny, { time: new Date('2026-06-22T14:30:00Z') })).toBe(false);
    expect(holds(ny, { time: new Date('2026-11-24T14:30:00Z') })).toBe(false); // Tuesday
  });

  it('mfa comes from the authentication methods', () => {
    expect(mfaFromAmr(['pwd'])).toBe(false);
    expect(mfaFromAmr(['pwd', 'otp'])).toBe(true);
    expect(mfaFromAmr(['hwk'])).toBe(true);
    expect(mfaFromAmr(['pwd', 'pwd'])).toBe(false);
    expect(mfaFromAmr('mfa')).toBe(false);
    expect(holds({ mfa: true }, { mfa: true })).toBe(true);
    expect(holds({ mfa: true }, { mfa: false })).toBe(false);
  });

  it('attribute comparisons read own data only, never the prototype chain or code', () => {
    const owner = { attributes: [{ attribute: 'resource.owner', operator: 'equals' as const, valueFrom: 'subject.id' }] };
    expect(holds(owner, { resourceAttributes: { owner: 'u1' } })).toBe(true);
    expect(holds(owner, { resourceAttributes: { owner: 'u2' } })).toBe(false);
    expect(holds(owner, { resourceAttributes: {} })).toBe(false);
    const proto = { attributes: [{ attribute: 'resource.constructor', operator: 'notEquals' as const, value: 'x' }] };
    expect(holds(proto)).toBe(false);
    const nested = { attributes: [{ attribute: 'subject.dept.code', operator: 'in' as const, value: ['fin', 'ops'] }] };
    expect(holds(nested, { subjectAttributes: { dept: { code: 'ops' } } })).toBe(true);
    expect(holds(nested, { subjectAttributes: { dept: { code: 'eng' } } })).toBe(false);
    const type = { attributes: [{ attribute: 'resource.type', operator: 'equals' as const, value: 'invoice' }] };
    expect(holds(type)).toBe(true);
    const context = { attributes: [{ attribute: 'context.channel', operator: 'equals' as const, value: 'api' }] };
    expect(holds(context, { extra: { channel: 'api' } })).toBe(true);
  });

  it('an empty condition document is no condition', () => {
    expect(compileConditions({})).toBeNull();
    expect(compileConditions(null)).toBeNull();
  });
});

describe('the model helpers', () => {
  it('keyMatch is a literal or a trailing-* prefix, as Casbin keyMatch', () => {
    expect(keyMatch('invoice:1', 'invoice:*')).toBe(true);
    expect(keyMatch('invoice:', 'invoice:*')).toBe(true);
    expect(keyMatch('invoic', 'invoice:*')).toBe(false);
    expect(keyMatch('anything', '*')).toBe(true);
    expect(keyMatch('invoice:1', 'invoice:1')).toBe(true);
    expect(keyMatch('invoice:10', 'invoice:1')).toBe(false);
  });

  it('ranks: higher priority first; at equal priority deny first', () => {
    expect(rankOf(5, 'allow')).toBeLessThan(rankOf(4, 'deny'));
    expect(rankOf(0, 'deny')).toBeLessThan(rankOf(0, 'allow'));
    expect(rankOf(-1, 'deny')).toBeGreaterThan(rankOf(0, 'allow'));
  });
});
