/**
 * The resident portal (/portal): sign in, join the census with an invite, read the
 * proposals, vote anonymously with a proof made in a Web Worker on this device, change
 * the vote, check the receipt, and watch the live tally against the Art. 278 lines.
 * Plain DOM, no framework: a handful of views re-rendered from state. Every request goes
 * to this origin (the page's Content-Security-Policy allows nothing else).
 */
import { createIdentity, type Identity } from '../../zk/identity.ts';
import { fetchCensus, fetchCensusLeaves, anonymousBallotRequest, type BallotProposal } from '../anonymous-ballot.ts';
import { decryptIdentity, encryptIdentity } from '../identity-backup.ts';
import { CourtyardApiError, CourtyardClient, requireSuccess } from '../typed-api/courtyard-client.ts';
import {
  CAST_ANONYMOUS_BALLOT,
  CHECK_BALLOT_RECEIPT,
  JOIN_CENSUS,
  LOGIN,
  PROPOSAL,
  PROPOSALS,
  RATING_SUBJECTS,
  SUBMIT_ANONYMOUS_RATING,
} from '../typed-api/operations.ts';
import { normalizedComment, ratingMessage, ratingScope } from '../scope-hash.ts';
import { CensusParticipationError } from '../participation-error.ts';
import type { ResultOf } from '../typed-api/tada.ts';
import { LABELS, OPTION_LABELS, label, saveLanguage, savedLanguage, type LabelKey, type Language } from './i18n.ts';
import { identityKey, readRecord, receiptKey, writeRecord } from './identity-store.ts';
import type { ProveMessage, WarmUpMessage, WorkerReply } from './prover-worker.ts';

/** The portal's pages; `manager` only for managers and the committee, `regulator` also signed out. */
type PageName = 'home' | 'household' | 'activities' | 'fee-proof' | 'manager' | 'regulator';
const PAGE_LABELS: Record<PageName, LabelKey> = {
  home: 'home',
  household: 'household',
  activities: 'activities',
  'fee-proof': 'feeProof',
  manager: 'managerPage',
  regulator: 'regulatorPage',
};
import { tallyChart, type Fraction } from './tally-chart.ts';
import { element } from './dom.ts';
import type { PortalContext, ProveRequest } from './portal-context.ts';
import { householdPage } from './household-page.ts';
import { activitiesPage } from './activities-page.ts';
import { feeProofPage } from './fee-proof-page.ts';
import { managerPage } from './manager-page.ts';
import { regulatorPage } from './regulator-page.ts';

type Proposal = Extract<ResultOf<typeof PROPOSAL>['proposal'], { data: unknown }>['data'];
interface StoredReceipt {
  proposalId: string;
  ballotId: string;
  nullifier: string;
  choice: string;
  ledgerSeq: string;
}

type CensusKind = 'OWNERS' | 'HOUSEHOLDS';
const CENSUS_KINDS: readonly CensusKind[] = ['OWNERS', 'HOUSEHOLDS'];
const SCORES = [1, 2, 3, 4, 5] as const;

/** How often an open proposal's tally is re-read while it is on screen. */
const TALLY_REFRESH_MS = 5_000;

const state: {
  language: Language;
  client: CourtyardClient;
  login: string | null;
  /** One identity per census joined: a household's is not linkable to its owner's. */
  identities: Partial<Record<CensusKind, Identity>>;
  community: { id: string; name: string } | null;
  /** The account's roles in `community`. */
  roles: string[];
  page: PageName;
  proposalId: string | null;
} = {
  language: savedLanguage(),
  client: new CourtyardClient(),
  login: null,
  identities: {},
  community: null,
  roles: [],
  page: 'home',
  proposalId: null,
};
let refreshTimer: ReturnType<typeof setInterval> | undefined;

const t = (key: LabelKey) => label(state.language, key);

function field(id: string, key: LabelKey, type = 'text', autocomplete = 'off'): HTMLElement {
  return element(
    'p',
    {},
    element('label', { for: id }, t(key)),
    element('input', { id, name: id, type, required: '', autocomplete }),
  );
}

function announce(message: string): void {
  document.getElementById('status')!.textContent = message;
}

function failure(error: unknown): string {
  const code =
    error instanceof CourtyardApiError || (error as { code?: unknown }).code
      ? ` [${String((error as { code: unknown }).code)}]`
      : '';
  return `${t('failed')}${(error as Error).message}${code}`;
}

function header(): HTMLElement {
  const switcher = element(
    'button',
    { type: 'button', id: 'language', lang: state.language === 'zh' ? 'en' : 'zh', 'aria-label': t('languageSwitch') },
    t('language'),
  );
  switcher.addEventListener('click', () => {
    state.language = state.language === 'zh' ? 'en' : 'zh';
    saveLanguage(state.language);
    void render();
  });
  const bar = element('header', {}, element('h1', {}, t('title')), switcher);
  if (state.login) {
    const signOut = element('button', { type: 'button', id: 'sign-out' }, t('signOut'));
    signOut.addEventListener('click', () => {
      Object.assign(state, { login: null, identities: {}, community: null, roles: [], page: 'home', proposalId: null });
      state.client = new CourtyardClient();
      void render();
    });
    bar.append(element('p', {}, `${t('signedInAs')}${state.login}`, ' ', signOut));
  }
  bar.append(navigation());
  return bar;
}

function availablePages(): PageName[] {
  if (!state.login) return ['home', 'regulator'];
  const pages: PageName[] = ['home', 'household', 'activities', 'fee-proof'];
  if (state.roles.some((role) => role === 'MANAGER' || role === 'COMMITTEE')) pages.push('manager');
  pages.push('regulator');
  return pages;
}

function navigation(): HTMLElement {
  const list = element('ul', {});
  for (const page of availablePages()) {
    const current = state.page === page && !state.proposalId;
    const text = page === 'home' && !state.login ? t('signIn') : t(PAGE_LABELS[page]);
    const button = element('button', { type: 'button', id: `nav-${page}`, class: 'nav' }, text);
    if (current) button.setAttribute('aria-current', 'page');
    button.addEventListener('click', () => {
      state.page = page;
      state.proposalId = null;
      void render();
    });
    list.append(element('li', {}, button));
  }
  return element('nav', { 'aria-label': t('navigation') }, list);
}

function signInView(): HTMLElement {
  const form = element(
    'form',
    { id: 'sign-in-form' },
    field('login', 'login', 'text', 'username'),
    field('password', 'password', 'password', 'current-password'),
    element('p', { class: 'note' }, t('passwordNote')),
    element('button', { type: 'submit', id: 'sign-in' }, t('signIn')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const login = (document.getElementById('login') as HTMLInputElement).value;
    const password = (document.getElementById('password') as HTMLInputElement).value;
    signIn(login, password).catch((error: unknown) => announce(failure(error)));
  });
  return element(
    'section',
    { 'aria-labelledby': 'sign-in-heading' },
    element('h2', { id: 'sign-in-heading' }, t('signIn')),
    form,
  );
}

async function signIn(login: string, password: string): Promise<void> {
  announce('…');
  const session = requireSuccess((await state.client.request(LOGIN, { login, password })).login);
  state.client = new CourtyardClient({ token: session.token });
  state.login = login;
  state.community = session.account.roles.find((grant) => grant.community)?.community ?? null;
  state.roles = session.account.roles
    .filter((grant) => grant.community && grant.community.id === state.community?.id)
    .map((grant) => grant.role);
  state.page = 'home';
  // The identity is sealed with the password; opening it costs one scrypt here, on the device.
  state.identities = {};
  for (const kind of CENSUS_KINDS) {
    const sealed = await readRecord(identityKey(login, kind));
    if (sealed) state.identities[kind] = await decryptIdentity(sealed, password);
  }
  sessionPassword = password;
  announce('');
  await render();
}

/** Kept in memory while signed in, to seal a new identity after joining; never stored. */
let sessionPassword: string | null = null;

function joinView(first: boolean): HTMLElement {
  const form = element(
    'form',
    { id: 'join-form' },
    field('invite', 'inviteCode'),
    element('button', { type: 'submit', id: 'join' }, t('join')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    join((document.getElementById('invite') as HTMLInputElement).value).catch((error: unknown) =>
      announce(failure(error)),
    );
  });
  return element(
    'section',
    { 'aria-labelledby': 'join-heading' },
    element('h2', { id: 'join-heading' }, t('joinCensus')),
    element('p', {}, first ? t('noIdentity') : t('joinOther')),
    form,
  );
}

async function join(inviteCode: string): Promise<void> {
  const identity = await createIdentity();
  const joined = requireSuccess(
    (
      await state.client.request(JOIN_CENSUS, {
        inviteCode: inviteCode.trim(),
        identityCommitment: String(identity.commitment),
      })
    ).joinCensus,
  );
  await writeRecord(identityKey(state.login!, joined.kind), await encryptIdentity(identity, sessionPassword!));
  state.identities[joined.kind] = identity;
  state.community ??= joined.community;
  announce(t('joined'));
  await render();
}

async function proposalsView(): Promise<HTMLElement> {
  const section = element(
    'section',
    { 'aria-labelledby': 'proposals-heading' },
    element('h2', { id: 'proposals-heading' }, t('proposals')),
  );
  if (!state.community) return section;
  const result = await state.client.request(PROPOSALS, { communityId: state.community.id, first: 20, after: null });
  const list = element('ul', { class: 'proposals' });
  for (const { node } of result.proposals.edges) {
    const open = element('button', { type: 'button', class: 'proposal', 'data-id': node.id }, node.title);
    open.addEventListener('click', () => {
      state.proposalId = node.id;
      void render();
    });
    list.append(
      element(
        'li',
        {},
        open,
        ' ',
        element('span', { class: 'badge' }, node.status === 'OPEN' ? t('open') : node.status),
      ),
    );
  }
  section.append(result.proposals.edges.length ? list : element('p', {}, t('noProposals')));
  return section;
}

const fraction = (threshold: { numerator: number; denominator: number } | null | undefined): Fraction | null =>
  threshold ? { numerator: threshold.numerator, denominator: threshold.denominator } : null;

function optionLabel(proposal: Proposal, optionId: string): string {
  return (
    OPTION_LABELS[optionId]?.[state.language] ??
    proposal.options.find((option) => option.id === optionId)?.label ??
    optionId
  );
}

function tallyView(proposal: Proposal): HTMLElement {
  const box = element(
    'section',
    { id: 'tally', 'aria-labelledby': 'tally-heading' },
    element('h3', { id: 'tally-heading' }, t('tally')),
  );
  if (!proposal.snapshot) return box;
  const labels = { participating: t('participating'), quorum: t('quorumLine'), pass: t('passLine') };
  const chart = (
    id: string,
    title: string,
    pick: (total: { heads: string; weight: string }) => string,
    total: string,
    participation: Fraction | null,
    approval: Fraction | null,
  ) =>
    element(
      'figure',
      { id },
      element('figcaption', {}, title),
      tallyChart({
        title,
        rows: proposal.liveTally.map((row) => ({ label: optionLabel(proposal, row.option), value: BigInt(pick(row)) })),
        total: BigInt(total),
        participation,
        approval,
        labels,
      }),
    );
  box.append(
    chart(
      'tally-area',
      t('byArea'),
      (row) => row.weight,
      proposal.snapshot.totalWeight,
      fraction(proposal.rule.participationArea),
      fraction(proposal.rule.approvalArea),
    ),
    chart(
      'tally-heads',
      t('byHeads'),
      (row) => row.heads,
      proposal.snapshot.headCount,
      fraction(proposal.rule.participationHeads),
      fraction(proposal.rule.approvalHeads),
    ),
  );
  return box;
}

let worker: Worker | undefined;
let nextRequestId = 1;

function proverWorker(): Worker {
  worker ??= new Worker(document.documentElement.dataset['prover']!, { type: 'module', name: 'courtyard-prover' });
  return worker;
}

/**
 * Starts the worker and has it fetch the circuit of `depth` and build the curve while the
 * resident reads and chooses, so the proof does not wait for them (docs/client.md, "The
 * first proof in a page"). Only where a proof is likely: a vote the resident can cast.
 */
function warmUpProver(depth: number): void {
  proverWorker().postMessage({ kind: 'warm-up', depth } satisfies WarmUpMessage);
}

/** Proves in the Web Worker, reporting its steps on the progress bar. */
function proveInWorker(
  request: ProveRequest,
  progress: HTMLProgressElement,
): Promise<{ json: string; nullifier: string }> {
  proverWorker();
  const id = nextRequestId++;
  const steps = { artifacts: 1, witness: 2, proving: 3 } as const;
  return new Promise((resolve, reject) => {
    const listener = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.id !== id) return;
      if (reply.kind === 'progress') {
        progress.value = steps[reply.step];
        announce(`${t('proving')} ${t('provingStep')} ${steps[reply.step]}/3`);
        return;
      }
      worker!.removeEventListener('message', listener);
      progress.value = 4;
      progress.hidden = true;
      announce('');
      if (reply.kind === 'done') {
        document.documentElement.dataset['lastProvingMs'] = String(Math.round(reply.provingMs));
        resolve(reply);
      } else reject(Object.assign(new Error(reply.message), { code: reply.code }));
    };
    worker!.addEventListener('message', listener);
    worker!.postMessage({ ...request, id } as ProveMessage);
  });
}

async function vote(proposal: Proposal, choice: string, progress: HTMLProgressElement): Promise<void> {
  const identity = state.identities[proposal.census];
  if (!identity) throw new CensusParticipationError('NOT_IN_CENSUS', t('noIdentity'));
  const leaves = await fetchCensusLeaves(state.client, proposal.community.id, proposal.census);
  // Checked on the page before the worker starts: scope, choice, pinned snapshot.
  const request = anonymousBallotRequest(identity, proposal as BallotProposal, choice, leaves);
  progress.hidden = false;
  const proof = await proveInWorker(
    {
      secret: String(identity.secret),
      leaves,
      pinned: request.pinned,
      scope: String(request.scope),
      message: String(request.message),
    },
    progress,
  );
  // Sent with no session: the ballot carries nothing that names the voter.
  const anonymous = state.client.withoutSession();
  const receipt = requireSuccess(
    (await anonymous.request(CAST_ANONYMOUS_BALLOT, { proposalId: proposal.id, choice, proof: proof.json }))
      .castAnonymousBallot,
  );
  const stored: StoredReceipt = {
    proposalId: proposal.id,
    ballotId: receipt.ballotId,
    nullifier: receipt.nullifier!,
    choice,
    ledgerSeq: receipt.ledgerSeq,
  };
  await writeRecord(receiptKey(state.login!, proposal.id), JSON.stringify(stored));
  announce(`${t('voted')}${optionLabel(proposal, choice)}`);
  await render();
}

function receiptView(proposal: Proposal, receipt: StoredReceipt): HTMLElement {
  const status = element('p', { id: 'receipt-status', 'aria-live': 'polite' });
  const check = element('button', { type: 'button', id: 'check-receipt' }, t('checkReceipt'));
  check.addEventListener('click', () => {
    state.client
      .request(CHECK_BALLOT_RECEIPT, { proposalId: receipt.proposalId, nullifier: receipt.nullifier, ballotId: null })
      .then((result) => {
        const checked = requireSuccess(result.checkBallotReceipt);
        status.dataset['included'] = String(checked.included);
        status.textContent = checked.included
          ? checked.counted
            ? t('receiptIncluded')
            : t('receiptIncludedNotCounted')
          : t('receiptPending');
      })
      .catch((error: unknown) => (status.textContent = failure(error)));
  });
  return element(
    'section',
    { id: 'receipt', 'aria-labelledby': 'receipt-heading' },
    element('h3', { id: 'receipt-heading' }, t('receipt')),
    element(
      'dl',
      {},
      element('dt', {}, t('yourChoice')),
      element('dd', { id: 'receipt-choice', 'data-choice': receipt.choice }, optionLabel(proposal, receipt.choice)),
      element('dt', {}, 'Ballot'),
      element('dd', { class: 'mono' }, receipt.ballotId),
      element('dt', {}, 'Nullifier'),
      element('dd', { class: 'mono', id: 'receipt-nullifier' }, receipt.nullifier),
      element('dt', {}, 'Ledger seq'),
      element('dd', {}, receipt.ledgerSeq),
    ),
    check,
    status,
  );
}

async function proposalView(proposalId: string): Promise<HTMLElement> {
  const proposal = requireSuccess((await state.client.request(PROPOSAL, { id: proposalId })).proposal);
  const back = element('button', { type: 'button', id: 'back' }, t('back'));
  back.addEventListener('click', () => {
    state.proposalId = null;
    void render();
  });
  const section = element(
    'section',
    { 'aria-labelledby': 'proposal-heading' },
    back,
    element('h2', { id: 'proposal-heading' }, proposal.title),
    element('p', {}, proposal.body),
  );
  const storedText = await readRecord(receiptKey(state.login!, proposal.id));
  const receipt = storedText ? (JSON.parse(storedText) as StoredReceipt) : null;
  if (proposal.status === 'OPEN' && proposal.mode === 'ANONYMOUS' && state.identities[proposal.census]) {
    if (proposal.snapshot) warmUpProver(proposal.snapshot.depth);
    const choices = element('fieldset', {}, element('legend', {}, t('yourChoice')));
    for (const option of proposal.options) {
      const id = `choice-${option.id}`;
      const input = element('input', { type: 'radio', name: 'choice', id, value: option.id });
      if (receipt?.choice === option.id) input.checked = true;
      choices.append(element('p', {}, input, element('label', { for: id }, optionLabel(proposal, option.id))));
    }
    const progress = element('progress', { id: 'progress', max: '4', value: '0', 'aria-label': t('proving') });
    progress.hidden = true;
    const form = element(
      'form',
      { id: 'vote-form' },
      choices,
      element('button', { type: 'submit', id: 'vote' }, receipt ? t('changeVote') : t('vote')),
      progress,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const choice = (form.querySelector('input[name="choice"]:checked') as HTMLInputElement | null)?.value;
      if (!choice) return;
      (document.getElementById('vote') as HTMLButtonElement).disabled = true;
      vote(proposal, choice, progress).catch((error: unknown) => {
        announce(failure(error));
        (document.getElementById('vote') as HTMLButtonElement).disabled = false;
      });
    });
    section.append(form);
  }
  if (receipt) section.append(receiptView(proposal, receipt));
  section.append(tallyView(proposal));
  if (proposal.status === 'OPEN') {
    refreshTimer = setInterval(() => {
      state.client.request(PROPOSAL, { id: proposalId }).then(
        (fresh) => {
          const tally = document.getElementById('tally');
          if (tally && state.proposalId === proposalId) tally.replaceWith(tallyView(requireSuccess(fresh.proposal)));
        },
        () => undefined,
      );
    }, TALLY_REFRESH_MS);
  }
  return section;
}

/** The current month (UTC), the period residents rate. */
const currentPeriod = () => new Date().toISOString().slice(0, 7);

async function ratingsView(): Promise<HTMLElement> {
  const period = currentPeriod();
  const section = element(
    'section',
    { 'aria-labelledby': 'ratings-heading' },
    element('h2', { id: 'ratings-heading' }, `${t('rateServices')} ${period}`),
  );
  if (!state.community) return section;
  const { ratingSubjects } = await state.client.request(RATING_SUBJECTS, { communityId: state.community.id, period });
  for (const subject of ratingSubjects.filter((candidate) => candidate.active && candidate.kind === 'SERVICE')) {
    const prefix = `rate-${subject.key}`;
    const scores = element('fieldset', {}, element('legend', {}, subject.label));
    for (const score of SCORES) {
      const id = `${prefix}-${score}`;
      scores.append(
        element(
          'span',
          { class: 'score' },
          element('input', { type: 'radio', name: prefix, id, value: String(score) }),
          element('label', { for: id }, String(score)),
        ),
      );
    }
    const comment = element('input', { id: `${prefix}-comment`, type: 'text', autocomplete: 'off' });
    const status = element('p', { id: `${prefix}-status`, 'aria-live': 'polite' });
    const submit = element('button', { type: 'submit', id: `${prefix}-submit` }, t('rate'));
    const progress = element('progress', { max: '4', value: '0', 'aria-label': t('proving') });
    progress.hidden = true;
    const form = element(
      'form',
      { class: 'rating', 'data-subject': subject.key },
      scores,
      element('p', {}, element('label', { for: `${prefix}-comment` }, t('comment')), comment),
      submit,
      progress,
      status,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const score = Number((form.querySelector(`input[name="${prefix}"]:checked`) as HTMLInputElement | null)?.value);
      if (!score) return;
      submit.disabled = true;
      rate(subject, period, score, comment.value, progress)
        .then((receipt) => {
          status.dataset['rated'] = String(receipt.score);
          status.textContent = `${t('rated')}${receipt.score}`;
        })
        .catch((error: unknown) => (status.textContent = failure(error)))
        .finally(() => (submit.disabled = false));
    });
    section.append(form);
  }
  return section;
}

/** An anonymous rating as the household: scope checked on the page, proof in the worker, sent with no session. */
async function rate(
  subject: { id: string; scope: string },
  period: string,
  score: number,
  comment: string,
  progress: HTMLProgressElement,
) {
  const identity = state.identities.HOUSEHOLDS!;
  const scope = ratingScope(subject.id, period);
  if (String(scope) !== subject.scope)
    throw new CensusParticipationError('SCOPE_MISMATCH', "Failed to rate: the server's scope is not this subject's");
  const { leaves, current } = await fetchCensus(state.client, state.community!.id, 'HOUSEHOLDS');
  progress.hidden = false;
  const proof = await proveInWorker(
    {
      secret: String(identity.secret),
      leaves,
      pinned: current,
      scope: String(scope),
      message: String(ratingMessage(score, comment)),
    },
    progress,
  );
  const result = await state.client.withoutSession().request(SUBMIT_ANONYMOUS_RATING, {
    subjectId: subject.id,
    period,
    score,
    comment: normalizedComment(comment),
    proof: proof.json,
  });
  return requireSuccess(result.submitAnonymousRating);
}

/** What a page needs, once signed in to a community. */
function pageContext(): PortalContext | null {
  if (!state.login || !state.community) return null;
  return {
    client: state.client,
    community: state.community,
    roles: state.roles,
    language: state.language,
    t,
    householdIdentity: state.identities.HOUSEHOLDS,
    proveInWorker,
    announce,
    failure,
  };
}

async function render(): Promise<void> {
  clearInterval(refreshTimer);
  document.documentElement.lang = state.language === 'zh' ? 'zh-CN' : 'en';
  document.title = `Courtyard — ${LABELS.title[state.language]}`;
  const main = element('main', { id: 'main' });
  try {
    const context = pageContext();
    if (state.page === 'regulator') main.append(regulatorPage({ t, failure }));
    else if (!state.login) main.append(signInView());
    else if (state.proposalId) main.append(await proposalView(state.proposalId));
    else if (context && state.page === 'household') main.append(await householdPage(context));
    else if (context && state.page === 'activities') main.append(await activitiesPage(context));
    else if (context && state.page === 'fee-proof') main.append(feeProofPage(context));
    else if (context && state.page === 'manager') main.append(await managerPage(context));
    else {
      const joined = CENSUS_KINDS.filter((kind) => state.identities[kind]);
      if (joined.length > 0)
        main.append(element('p', { id: 'identity-ready', 'data-censuses': joined.join(' ') }, t('identityReady')));
      if (joined.length < CENSUS_KINDS.length) main.append(joinView(joined.length === 0));
      main.append(await proposalsView());
      if (state.identities.HOUSEHOLDS) main.append(await ratingsView());
    }
  } catch (error) {
    main.append(element('p', { role: 'alert' }, failure(error)));
  }
  const root = document.getElementById('app')!;
  const status = document.getElementById('status');
  root.replaceChildren(header(), main, status ?? element('p', { id: 'status', role: 'status', 'aria-live': 'polite' }));
  document.documentElement.dataset['view'] =
    state.page === 'regulator' ? 'regulator' : !state.login ? 'sign-in' : state.proposalId ? 'proposal' : state.page;
  (main.querySelector('h2') as HTMLElement | null)?.setAttribute('tabindex', '-1');
  (main.querySelector('h2') as HTMLElement | null)?.focus();
}

void render().then(() => (document.documentElement.dataset['ready'] = 'true'));
