/**
 * The portal pages' pure rules, in Node: the fee-proof page's reading of a verifier's
 * challenge (each malformed field refused by name, with CHALLENGE_MALFORMED), and the
 * months the managers' charts show (across a year boundary).
 */
import { parseChallenge } from '../../src/client/portal/fee-proof-page.ts';
import { recentMonths } from '../../src/client/portal/manager-page.ts';

const CHALLENGE = {
  id: '5b0c7e0e-8a43-4c1c-9f8a-3d3f3e1f2a10',
  periodId: '2026-03',
  periodNumber: 202603,
  tree: 'fees-paid:2026-03',
  scope: '1234567890',
  message: '987654321',
  fromRootVersion: 3,
};

describe('fee-proof challenge text', () => {
  it('reads the fields the proof needs from the API answer', () => {
    expect(parseChallenge(JSON.stringify(CHALLENGE))).toEqual({
      id: CHALLENGE.id,
      periodId: '2026-03',
      periodNumber: 202603,
      scope: '1234567890',
      message: '987654321',
    });
    expect(parseChallenge(JSON.stringify({ ...CHALLENGE, periodId: '2026-Q1', periodNumber: 202621 })).periodId).toBe(
      '2026-Q1',
    );
  });

  it.each([
    ['id', { id: '' }],
    ['periodId', { periodId: '2026-13' }],
    ['periodId', { periodId: 202603 }],
    ['periodNumber', { periodNumber: '202603' }],
    ['scope', { scope: '-1' }],
    ['scope', { scope: '1'.repeat(79) }],
    ['message', { message: '0x10' }],
  ])('refuses a malformed %s, naming it', (field, change) => {
    expect(() => parseChallenge(JSON.stringify({ ...CHALLENGE, ...change }))).toThrow(
      expect.objectContaining({
        code: 'CHALLENGE_MALFORMED',
        message: `Invalid challenge: ${field} is missing or malformed`,
      }),
    );
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseChallenge('challenge 42')).toThrow(expect.objectContaining({ code: 'CHALLENGE_MALFORMED' }));
  });
});

describe('the months the managers’ charts show', () => {
  it('ends with the current month, oldest first, across a year boundary', () => {
    expect(recentMonths(6, new Date('2027-02-15T23:00:00Z'))).toEqual([
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    expect(recentMonths(1, new Date('2026-03-31T00:00:00Z'))).toEqual(['2026-03']);
  });
});
