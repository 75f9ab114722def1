import { describe, expect, it } from 'vitest';
import { canonicalAddress, classifyAddress } from '@plinto/kernel';

describe('classifyAddress: every spelling of a non-public address is caught', () => {
  it.each([
    // loopback, in dotted, short, decimal, octal, hex and mixed forms
    ['127.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['017700000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['0x7F.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[0:0:0:0:0:ffff:7f00:0001]', 'loopback'],
    ['::127.0.0.1', 'loopback'], // IPv4-compatible
    ['64:ff9b::127.0.0.1', 'loopback'], // NAT64
    ['2002:7f00:1::', 'loopback'], // 6to4
    // unspecified
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified'],
    // private
    ['10.0.0.1', 'private'],
    ['012.1', 'private'], // octal 10.0.0.1
    ['167772161', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['0xc0a80101', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['::ffff:c0a8:101', 'private'],
    // link-local and cloud metadata
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['2852039166', 'metadata'],
    ['0xa9fea9fe', 'metadata'],
    ['0251.0376.0251.0376', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    // CGNAT, unique-local, multicast, reserved
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each(['93.184.215.14', '1.1.1.1', '8.8.8.8', '100.128.0.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::'])(
    '%s is public',
    (address) => {
      expect(classifyAddress(address)).toBe('public');
    },
  );

  it('host names and garbage are not addresses', () => {
    expect(classifyAddress('example.com')).toBe('invalid');
    expect(classifyAddress('127.0.0.1.nip.io')).toBe('invalid');
    expect(classifyAddress('')).toBe('invalid');
    expect(canonicalAddress('localhost')).toBeNull();
    expect(canonicalAddress('0x7f.1')).toBe('127.0.0.1');
  });
});
