/**
 * The pure rules of ratings: what a period is, how an anonymous rating is bound to its
 * subject, period, score and comment, how scores add up, and what the replay fold finds.
 */
import fc from 'fast-check';
import {
  aggregateFromDistribution,
  aggregateScores,
  periodEnd,
  periodOf,
  periodStart,
  ratingMessage,
  ratingScope,
  requirePeriod,
  requireScore,
  requireSubjectKey,
} from '../../src/ratings/rating-rules.ts';
import { replayRatings, type RatingsReplayEntry } from '../../src/ratings/ratings-replay.ts';

const SUBJECT_A = '6f1d3a52-0c4e-4f7a-9a1b-2c3d4e5f6a7b';
const SUBJECT_B = '7a2e4b63-1d5f-4a8b-8b2c-3d4e5f6a7b8c';

describe('periods', () => {
  it.each(['2026-11', '2026-01', '2026-12', '2000-01', '9999-12'])('takes the month %s', (period) =>
    expect(requirePeriod(period)).toBe(period),
  );
  it.each(['2026-00', '2026-13', '2026-1', '26-11', '2026-11-01', '1999-12', '0001-01', ''])(
    'refuses %j as INVALID_INPUT',
    (period) =>
      expect(() => requirePeriod(period)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', parameter: 'period' }),
      ),
  );
  it('runs from the first instant of the month to the first of the next, in UTC, across the year end', () => {
    expect(periodStart('2026-12').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(periodEnd('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(periodOf(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12');
    expect(periodOf(periodEnd('2026-12'))).toBe('2027-01');
  });
});

describe('scores, keys and bindings', () => {
  it.each([0, 6, 2.5, Number.NaN])('refuses the score %p', (score) =>
    expect(() => requireScore(score)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' })),
  );
  it.each(['Cleaning', '1st', '', 'a'.repeat(33), 'with space'])('refuses the key %j', (key) =>
    expect(() => requireSubjectKey(key)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' })),
  );

  it('gives each subject and period its own scope, and each score and comment its own message', () => {
    const scopes = [
      ratingScope(SUBJECT_A, '2026-11'),
      ratingScope(SUBJECT_B, '2026-11'),
      ratingScope(SUBJECT_A, '2026-12'),
    ];
    expect(new Set(scopes).size).toBe(3);
    const messages = [ratingMessage(4, null), ratingMessage(5, null), ratingMessage(4, ''), ratingMessage(4, '好')];
    expect(new Set(messages).size).toBe(4);
  });

  it('adds scores up the same way from the scores and from their distribution', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 200 }), (scores) => {
        const aggregate = aggregateScores(scores);
        expect(aggregateFromDistribution(aggregate.distribution)).toEqual(aggregate);
        expect(aggregate.count).toBe(scores.length);
        expect(aggregate.sum).toBe(scores.reduce((a, b) => a + b, 0));
      }),
    );
  });
});

describe('the replay fold', () => {
  const rating = (id: string, extra: Record<string, unknown> = {}): RatingsReplayEntry => ({
    type: 'ratings.rating',
    actor: 'anonymous',
    payload: {
      rating: id,
      subject: SUBJECT_A,
      period: '2026-11',
      channel: 'anonymous',
      score: 3,
      nullifier: '42',
      ...extra,
    },
  });
  const open: RatingsReplayEntry = {
    type: 'ratings.period',
    actor: 'system',
    payload: { period: '2026-11', status: 'open' },
  };
  const close: RatingsReplayEntry = {
    type: 'ratings.period',
    actor: 'system',
    payload: { period: '2026-11', status: 'closed' },
  };

  it('keeps the last rating per rater, subject and period', () => {
    const state = replayRatings([open, rating('r1'), rating('r2', { replaces: 'r1', score: 5 })]);
    expect([...state.current.values()]).toEqual([{ rating: 'r2', score: 5 }]);
    expect(state.anomalies).toEqual([]);
  });

  it('reports a rating after the close, and a replacement that names another rating', () => {
    expect(replayRatings([open, rating('r1'), close, rating('r2', { replaces: 'r1' })]).anomalies).toEqual([
      'rating r2: period 2026-11 was not open',
    ]);
    expect(replayRatings([open, rating('r1'), rating('r2')]).anomalies).toEqual([
      'rating r2: replaces nothing, but another rating counted',
    ]);
  });
});
