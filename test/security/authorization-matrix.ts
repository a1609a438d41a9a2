/**
 * The authorization matrix: for every root field of the schema, which callers pass its
 * authorization in community A of the security world (support/security-world.ts), and
 * how everyone else is refused. test/security/authorization-matrix.test.ts calls each
 * field as each role and fails on any difference, and on a field without a row here.
 *
 * The rule every row follows unless it says otherwise, with its reason:
 * - a caller who is not signed in gets UNAUTHENTICATED;
 * - a signed-in caller without the role gets FORBIDDEN;
 * - "allowed" means neither (the call may still fail a business rule: a state, a limit).
 */
import type { MatrixRole, SecurityWorld } from './support/security-world.ts';

export type DenialCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'NULL'
  | 'MAY_NOT_PROPOSE'
  | 'NOT_A_CENSUS_MEMBER'
  | 'NOT_A_TRUSTEE';

export interface Denial {
  code: DenialCode;
  roles: readonly MatrixRole[];
  reason: string;
}

export interface MatrixRow {
  /** The roles that pass authorization. */
  allowed: readonly MatrixRole[];
  /** Set on the few fields open to a caller who is not signed in: why. */
  public?: string;
  /** Denied roles refused with another code than the rule's, and why. */
  deniedAs?: Denial | readonly Denial[];
  /** Arguments beyond those built from the schema (support/field-calls.ts). */
  arguments?: (world: SecurityWorld, role: MatrixRole) => Record<string, unknown>;
  /** Call it on a session opened for this call alone (the field ends sessions). */
  ownSession?: boolean;
}

const ANYONE = [
  'anonymous',
  'otherResident',
  'regulatorOutside',
  'regulatorInside',
  'resident',
  'committee',
  'manager',
  'admin',
] as const;
const SIGNED_IN = ANYONE.slice(1);
/** Who reads community A: its members, the regulator over its jurisdiction, the admin. */
const READERS = ['regulatorInside', 'resident', 'committee', 'manager', 'admin'] as const;
const MEMBERS_AND_REGULATOR = ['regulatorInside', 'resident', 'committee', 'manager', 'admin'] as const;
const BOOKS = ['committee', 'manager'] as const;
/**
 * A household's invoice views: its residents, the managers, and the committee, who hold the
 * books (each household's receivable among them) and read the ledger's fee entries, which
 * name households by id: the views add nothing those do not give it (SECURITY.md,
 * "Households are pseudonyms"). Regulators see aggregates and the ledger, not these views.
 */
const HOUSEHOLD = ['resident', 'committee', 'manager'] as const;
const STAFF = ['committee', 'manager'] as const;

/** The vault answers as if a household it will not open for the caller did not exist. */
const VAULT_HIDES = {
  code: 'NOT_FOUND',
  roles: ['otherResident', 'regulatorOutside', 'regulatorInside', 'resident', 'committee', 'admin'],
  reason: 'the personal-data vault does not confirm that a household exists to anyone who may not open it',
} as const;
/** node and nodes answer null for what the caller may not see, whoever asks. */
const NODE_HIDES = {
  code: 'NULL',
  roles: ['anonymous', 'otherResident', 'regulatorOutside'],
  reason: 'a node the caller may not see is null, the same as one that does not exist',
} as const;
/** A caller outside the community cannot see the object the id names. */
const OUTSIDERS_SEE_NOTHING = (roles: readonly MatrixRole[] = ['otherResident', 'regulatorOutside']) =>
  ({
    code: 'NOT_FOUND',
    roles,
    reason: 'an object of a community the caller cannot read is not found, so its existence is not confirmed',
  }) as const;

/**
 * The trustees of the world's encrypted draft (committee member, manager, regulator inside)
 * publish its key-generation and decryption messages; any other reader is told it is not one.
 */
const TRUSTEE_MESSAGE: MatrixRow = {
  allowed: ['regulatorInside', 'committee', 'manager'],
  deniedAs: [
    OUTSIDERS_SEE_NOTHING(),
    {
      code: 'NOT_A_TRUSTEE',
      roles: ['resident', 'admin'],
      reason:
        "the election's trustees are fixed at creation: a reader of the community who is not one is told so, whatever its role",
    },
  ],
  arguments: (world) => ({ proposalId: world.encryptedProposalId }),
};

const ownPassword = (world: SecurityWorld, role: MatrixRole) => {
  const credentials = role === 'anonymous' ? world.credentials.resident : world.credentials[role];
  return { currentPassword: credentials.password, newPassword: credentials.password };
};

export const AUTHORIZATION_MATRIX: Readonly<Record<string, MatrixRow>> = {
  // ---- accounts, communities, sessions
  'Query.viewer': {
    allowed: SIGNED_IN,
    public: 'answers null to a caller who is not signed in: how a client learns it is signed out',
    deniedAs: { code: 'NULL', roles: ['anonymous'], reason: 'no account to show' },
  },
  'Query.accounts': { allowed: ['admin'] },
  'Query.communities': { allowed: SIGNED_IN },
  'Query.installation': {
    allowed: ['regulatorOutside', 'regulatorInside', 'admin'],
    deniedAs: {
      code: 'NULL',
      roles: ['otherResident', 'resident', 'committee', 'manager'],
      reason: 'the installation does not exist for a signed-in caller who may not read its log',
    },
  },
  'Query.overseenCommunities': { allowed: ['regulatorOutside', 'regulatorInside', 'admin'] },
  'Query.node': {
    allowed: READERS,
    public: 'answers null for any id the caller may not see, so it reveals nothing to a caller who is not signed in',
    deniedAs: NODE_HIDES,
    arguments: (world) => ({ id: world.community.householdId }),
  },
  'Query.nodes': {
    allowed: READERS,
    public: 'answers a null item for any id the caller may not see, as node does',
    deniedAs: NODE_HIDES,
    arguments: (world) => ({ ids: [world.community.householdId] }),
  },
  'Mutation.login': {
    allowed: ANYONE,
    public: 'signing in',
    arguments: (world) => ({ login: world.credentials.resident.login, password: world.credentials.resident.password }),
  },
  'Mutation.logout': { allowed: SIGNED_IN, ownSession: true },
  'Mutation.changePassword': { allowed: SIGNED_IN, arguments: ownPassword },
  'Mutation.createAccount': { allowed: ['admin'] },
  'Mutation.createCommunity': { allowed: ['admin'] },
  'Mutation.createJurisdiction': { allowed: ['admin'] },
  'Mutation.grantRole': {
    allowed: ['admin'],
    arguments: (world) => ({ role: 'RESIDENT', communityId: world.other.id, jurisdictionId: null }),
  },
  'Mutation.revokeRole': {
    allowed: ['admin'],
    arguments: (world) => ({ role: 'RESIDENT', communityId: world.other.id, jurisdictionId: null }),
  },
  'Mutation.revokeSessions': { allowed: ['admin'] },

  // ---- households and the personal-data vault
  'Query.households': { allowed: READERS },
  'Query.findHousehold': { allowed: ['manager'], arguments: (world) => ({ unitLabel: world.community.unitLabel }) },
  'Query.householdPersonalData': { allowed: ['manager'], deniedAs: VAULT_HIDES },
  'Mutation.registerHousehold': { allowed: ['manager'] },
  'Mutation.addHouseholdMember': {
    allowed: ['manager'],
    deniedAs: VAULT_HIDES,
    arguments: () => ({ accountId: null }),
  },
  'Mutation.eraseHouseholdPersonalData': {
    allowed: ['manager'],
    deniedAs: VAULT_HIDES,
    arguments: (world) => ({ householdId: world.spareHouseholdId }),
  },

  // ---- census
  'Query.census': { allowed: READERS },
  'Query.censusMerkleProof': { allowed: READERS },
  'Query.checkMembershipProof': { allowed: READERS },
  'Query.activeVerificationKey': { allowed: READERS },
  'Query.activeVerificationKeys': { allowed: READERS },
  'Mutation.activateVerificationKey': { allowed: ['admin'] },
  'Mutation.createCensusInvite': { allowed: ['manager'], arguments: () => ({ accountId: null }) },
  'Mutation.joinCensus': { allowed: SIGNED_IN },
  'Mutation.removeCensusMember': { allowed: ['manager'], arguments: () => ({ leafIndex: 1_000_000 }) },

  // ---- ledger
  'Query.ledgerLog': { allowed: READERS },
  'Query.ledgerEntries': { allowed: READERS },
  'Query.ledgerEntry': { allowed: READERS },
  'Query.ledgerWitnesses': { allowed: READERS },
  'Query.checkpoint': { allowed: READERS },
  'Query.checkpoints': { allowed: READERS },
  'Query.latestCheckpoint': { allowed: READERS },
  'Query.consistencyProof': { allowed: READERS },
  'Query.inclusionProof': { allowed: READERS },
  'Query.ledgerRangeBundle': { allowed: ['regulatorInside', 'admin'] },
  'Mutation.registerWitnessKey': { allowed: ['regulatorInside', 'committee'] },
  'Mutation.rotateWitnessKey': { allowed: ['regulatorInside', 'committee'] },
  'Mutation.cosignCheckpoint': { allowed: ['regulatorInside', 'committee'] },
  'Subscription.ledgerEntryAppended': { allowed: READERS },
  'Subscription.checkpointFinalized': { allowed: READERS },

  // ---- regulators
  'Query.communityOversight': { allowed: ['regulatorInside', 'admin'] },

  // ---- governance
  'Query.proposals': { allowed: READERS },
  'Query.proposal': {
    allowed: READERS,
    deniedAs: OUTSIDERS_SEE_NOTHING(),
    arguments: (world) => ({ id: world.proposalId }),
  },
  'Query.suggestions': { allowed: READERS },
  'Query.checkBallotReceipt': {
    allowed: ANYONE,
    public: 'anyone may check that a ballot receipt is counted in the checkpoint the result cites',
    arguments: () => ({ nullifier: '1' }),
  },
  'Query.electionBundle': {
    allowed: ['regulatorInside', 'committee', 'manager', 'admin'],
    deniedAs: OUTSIDERS_SEE_NOTHING(),
    arguments: (world) => ({ proposalId: world.closedProposalId }),
  },
  'Mutation.createProposal': {
    allowed: ['committee'],
    deniedAs: {
      code: 'MAY_NOT_PROPOSE',
      roles: ['regulatorInside', 'resident', 'manager', 'admin'],
      reason:
        "the community's readers are told which rule refused them: the committee proposes, managers only where the community allows it",
    },
  },
  'Mutation.openProposal': { allowed: ['committee'], deniedAs: OUTSIDERS_SEE_NOTHING() },
  'Mutation.closeProposal': { allowed: ['committee', 'manager'], deniedAs: OUTSIDERS_SEE_NOTHING() },
  'Mutation.finalizeProposal': {
    allowed: ['committee', 'manager'],
    deniedAs: OUTSIDERS_SEE_NOTHING(),
    arguments: (world) => ({ proposalId: world.closedProposalId }),
  },
  'Mutation.enterPaperBallot': { allowed: ['committee'], deniedAs: OUTSIDERS_SEE_NOTHING() },
  'Mutation.castNamedBallot': {
    allowed: ['resident'],
    deniedAs: [
      OUTSIDERS_SEE_NOTHING(),
      {
        code: 'NOT_A_CENSUS_MEMBER',
        roles: ['regulatorInside', 'committee', 'manager', 'admin'],
        reason:
          "the proposal's pinned census is the roll: a reader of the community votes only if it is on it, whatever its role",
      },
    ],
  },
  'Mutation.castAnonymousBallot': {
    allowed: ANYONE,
    public: 'an anonymous ballot is authorised by its membership proof, never by a session',
  },
  'Mutation.fileChallenge': {
    allowed: ['resident', 'committee', 'manager'],
    deniedAs: OUTSIDERS_SEE_NOTHING(),
    arguments: (world) => ({ proposalId: world.closedProposalId }),
  },
  'Mutation.setManagersMayPropose': { allowed: ['committee'] },
  'Mutation.submitSuggestion': { allowed: ['resident', 'committee'] },
  'Mutation.submitAnonymousSuggestion': {
    allowed: ANYONE,
    public: 'an anonymous suggestion is authorised by its membership proof',
  },
  'Mutation.answerSuggestion': {
    allowed: ['manager'],
    deniedAs: OUTSIDERS_SEE_NOTHING(['otherResident', 'regulatorOutside', 'regulatorInside', 'admin']),
  },
  'Subscription.liveTally': { allowed: READERS, deniedAs: OUTSIDERS_SEE_NOTHING() },
  'Mutation.publishKeyCommitments': TRUSTEE_MESSAGE,
  'Mutation.publishKeyShares': TRUSTEE_MESSAGE,
  'Mutation.fileKeyComplaint': TRUSTEE_MESSAGE,
  'Mutation.publishPartialDecryption': TRUSTEE_MESSAGE,
  'Mutation.tallyEncryptedProposal': {
    allowed: ['regulatorInside', 'committee', 'manager'],
    deniedAs: OUTSIDERS_SEE_NOTHING(),
    arguments: (world) => ({ proposalId: world.encryptedProposalId }),
  },
  'Mutation.castEncryptedBallot': {
    allowed: ANYONE,
    public: 'an encrypted-weight ballot is authorised by its membership proof, never by a session',
    arguments: (world) => ({ proposalId: world.encryptedProposalId }),
  },

  // ---- money: fees and funds
  'Query.moneyAccounts': { allowed: BOOKS },
  'Query.cashFlow': { allowed: BOOKS },
  'Query.spend': { allowed: BOOKS },
  'Query.waitingSpends': { allowed: BOOKS },
  'Query.myApproverReminders': { allowed: BOOKS },
  'Query.collectionRate': { allowed: MEMBERS_AND_REGULATOR },
  'Query.arrearsAgeing': { allowed: MEMBERS_AND_REGULATOR },
  'Query.fundReport': { allowed: MEMBERS_AND_REGULATOR },
  'Query.householdInvoices': { allowed: HOUSEHOLD },
  'Query.householdPayments': { allowed: HOUSEHOLD },
  'Query.householdNotifications': { allowed: HOUSEHOLD },
  'Query.householdStatement': { allowed: HOUSEHOLD },
  'Query.paymentReceipt': { allowed: HOUSEHOLD },
  'Mutation.openBooks': { allowed: ['manager'] },
  'Mutation.defineFeeSchedule': { allowed: ['manager'] },
  'Mutation.issueInvoices': { allowed: ['manager'] },
  'Mutation.correctInvoice': { allowed: ['manager'] },
  'Mutation.recordPayment': { allowed: ['manager'] },
  'Mutation.refundPayment': { allowed: ['manager'], arguments: () => ({ amount: '1000000000' }) },
  'Mutation.postTransfers': { allowed: ['manager'] },
  'Mutation.setSpendRule': { allowed: ['manager'] },
  'Mutation.proposeSpend': { allowed: ['manager'] },
  'Mutation.approveSpend': { allowed: STAFF },
  'Mutation.rejectSpend': { allowed: STAFF },
  'Mutation.executeSpend': { allowed: ['manager'] },
  'Subscription.moneyMoved': { allowed: BOOKS },

  // ---- fee proofs
  'Query.feePaidSet': { allowed: READERS },
  'Query.feePeriodBundle': {
    allowed: ['regulatorInside', 'committee', 'manager', 'admin'],
    deniedAs: OUTSIDERS_SEE_NOTHING(),
  },
  'Mutation.requestFeeProofChallenge': { allowed: READERS },
  'Mutation.submitFeeProof': {
    allowed: ['manager'],
    deniedAs: {
      code: 'NOT_FOUND',
      roles: ['otherResident', 'regulatorOutside', 'regulatorInside', 'resident', 'committee', 'admin'],
      reason: 'a challenge exists only for the verifier that asked for it (the world’s manager)',
    },
  },

  // ---- activities
  'Query.activities': { allowed: READERS },
  'Query.activity': { allowed: READERS },
  'Query.activityReport': { allowed: READERS },
  'Query.activitySignups': { allowed: STAFF },
  'Mutation.setActivitySettings': { allowed: ['manager'] },
  'Mutation.proposeActivity': { allowed: ['resident', 'committee', 'manager'] },
  'Mutation.approveActivity': { allowed: STAFF },
  'Mutation.rejectActivity': { allowed: STAFF },
  'Mutation.cancelActivity': { allowed: ['manager'] },
  'Mutation.closeActivitySignups': { allowed: ['manager'] },
  'Mutation.settleActivity': { allowed: ['manager'] },
  'Mutation.signUpForActivity': { allowed: ['resident', 'manager'] },
  'Mutation.cancelActivitySignup': { allowed: ['resident', 'manager'] },
  // The world's activity was proposed by the manager, so its organiser and a manager are one caller.
  'Mutation.contributeToActivity': { allowed: ['manager'] },
  'Mutation.openActivityFund': { allowed: ['manager'] },
  'Mutation.proposeActivityExpense': { allowed: ['manager'] },

  // ---- ratings
  'Query.ratingSubjects': { allowed: READERS },
  'Query.ratingSubject': { allowed: READERS, arguments: (world) => ({ id: world.ratingSubjectId }) },
  'Query.ratingPeriods': { allowed: READERS },
  'Query.serviceScoreCard': { allowed: READERS },
  'Mutation.addRatingSubject': { allowed: STAFF },
  'Mutation.setRatingSubjectActive': { allowed: STAFF, arguments: () => ({ active: true }) },
  'Mutation.openRatingPeriod': { allowed: STAFF },
  'Mutation.closeRatingPeriod': { allowed: STAFF, arguments: () => ({ period: '2020-01' }) },
  'Mutation.submitRating': { allowed: ['resident', 'committee'] },
  'Mutation.submitAnonymousRating': {
    allowed: ANYONE,
    public: 'an anonymous rating is authorised by its membership proof',
  },
  'Mutation.hideRatingComment': { allowed: STAFF },
};
