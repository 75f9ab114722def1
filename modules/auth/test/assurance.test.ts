import { describe, expect, it } from 'vitest';
import { assuranceLevel } from '../src/services/assurance';

describe('assurance level from the table of methods', () => {
  it.each([
    [['pwd'], 1],
    [['pwd', 'otp'], 2],
    [['email'], 1],
    [['email', 'otp'], 2],
    [['hwk'], 1],
    [['hwk', 'mfa'], 2],
    [['pwd', 'hwk'], 2],
    // Two possessions are one kind, however many steps it took.
    [['hwk', 'otp'], 1],
    [['otp', 'otp'], 1],
    [['pwd', 'something-unknown'], 1],
  ] as const)('%j → AAL%i', (amr, aal) => {
    expect(assuranceLevel(amr)).toBe(aal);
  });
});
