/**
 * Ratings as a fold over the ledger: subjects (key, active), periods (status), the rating
 * that counts per rater, subject and period, and the hidden comments, rebuilt from a
 * community's `ratings.*` entries alone, in seq order. The rater of a named rating is the
 * entry's actor (an account id), of an anonymous one its nullifier — the same keys the
 * live tables use. Entries that break the rules (a rating in a period that is not open,
 * a `replaces` other than the rating that counted) are reported as anomalies.
 */
export interface RatingsReplayEntry {
  type: string;
  actor: string;
  payload: Record<string, unknown>;
}

export interface RatingsReplay {
  /** `activity`: the activity an activity subject rates (kept from its first entry), else null. */
  subjects: Map<string, { key: string; active: boolean; activity: string | null }>;
  periods: Map<string, 'open' | 'closed'>;
  /** `subject|period|raterKey` → the rating that counts and its score. */
  current: Map<string, { rating: string; score: number }>;
  hidden: Set<string>;
  anomalies: string[];
}

export function replayRatings(entries: Iterable<RatingsReplayEntry>): RatingsReplay {
  const state: RatingsReplay = {
    subjects: new Map(),
    periods: new Map(),
    current: new Map(),
    hidden: new Set(),
    anomalies: [],
  };
  for (const { type, actor, payload } of entries) {
    switch (type) {
      case 'ratings.subject': {
        const subject = String(payload['subject']);
        const activity = typeof payload['activity'] === 'string' ? payload['activity'] : null;
        state.subjects.set(subject, {
          key: String(payload['key']),
          active: payload['active'] === true,
          activity: state.subjects.get(subject)?.activity ?? activity,
        });
        break;
      }
      case 'ratings.period':
        state.periods.set(String(payload['period']), payload['status'] === 'closed' ? 'closed' : 'open');
        break;
      case 'ratings.rating': {
        const rating = String(payload['rating']);
        const period = String(payload['period']);
        if (state.periods.get(period) !== 'open')
          state.anomalies.push(`rating ${rating}: period ${period} was not open`);
        const rater =
          payload['channel'] === 'anonymous' ? `nullifier:${String(payload['nullifier'])}` : `account:${actor}`;
        const key = `${String(payload['subject'])}|${period}|${rater}`;
        const replaces = payload['replaces'] === undefined ? null : String(payload['replaces']);
        if ((state.current.get(key)?.rating ?? null) !== replaces)
          state.anomalies.push(`rating ${rating}: replaces ${replaces ?? 'nothing'}, but another rating counted`);
        state.current.set(key, { rating, score: Number(payload['score']) });
        break;
      }
      case 'ratings.comment-hidden':
        state.hidden.add(String(payload['rating']));
        break;
      default:
        state.anomalies.push(`unknown entry type ${type}`);
    }
  }
  return state;
}
