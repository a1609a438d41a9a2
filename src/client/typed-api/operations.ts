/**
 * The operations the resident SDK and portal send, as typed gql.tada documents: each
 * one's result and variables types come from the schema, so `npm run typecheck` fails
 * when a schema change breaks one. Frontend teams write their own the same way with
 * `graphql` from ./tada.ts.
 */
import { graphql } from './tada.ts';

/** What every typed error of a mutation says (spread as `...ErrorFields`). */
export const ERROR_FIELDS = graphql(`
  fragment ErrorFields on Error {
    code
    message
  }
`);

/** Where a connection's page ends (spread as `...PageFields` in `pageInfo`). */
export const PAGE_FIELDS = graphql(`
  fragment PageFields on PageInfo {
    hasNextPage
    endCursor
  }
`);

/** What names and describes a rating subject (spread as `...RatingSubjectFields`). */
export const RATING_SUBJECT_FIELDS = graphql(`
  fragment RatingSubjectFields on RatingSubject {
    id
    key
    label
    kind
    active
  }
`);

export const LOGIN = graphql(
  `
    mutation Login($login: String!, $password: String!) {
      login(login: $login, password: $password) {
        __typename
        ... on MutationLoginSuccess {
          data {
            token
            expiresAt
            account {
              id
              login
              roles {
                role
                community {
                  id
                  name
                }
              }
            }
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

export const JOIN_CENSUS = graphql(
  `
    mutation JoinCensus($inviteCode: String!, $identityCommitment: String!) {
      joinCensus(inviteCode: $inviteCode, identityCommitment: $identityCommitment) {
        __typename
        ... on MutationJoinCensusSuccess {
          data {
            kind
            depth
            headCount
            identityCommitment
            community {
              id
              name
            }
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

export const PROPOSAL_FIELDS = graphql(`
  fragment ProposalFields on Proposal {
    id
    title
    body
    status
    mode
    census
    matter
    scope
    opensAt
    closesAt
    options {
      id
      label
      message
    }
    rule {
      name
      participationArea {
        numerator
        denominator
        bound
      }
      participationHeads {
        numerator
        denominator
        bound
      }
      approvalArea {
        numerator
        denominator
        bound
      }
      approvalHeads {
        numerator
        denominator
        bound
      }
    }
    snapshot {
      root
      depth
      size
      headCount
      totalWeight
    }
    liveTally {
      option
      heads
      weight
    }
    result {
      passed
      final
      checkpointTreeSize
    }
    community {
      id
    }
  }
`);

export const PROPOSALS = graphql(
  `
    query Proposals($communityId: ID!, $first: Int, $after: String) {
      proposals(communityId: $communityId, first: $first, after: $after) {
        edges {
          node {
            ...ProposalFields
          }
        }
        pageInfo {
          ...PageFields
        }
      }
    }
  `,
  [PROPOSAL_FIELDS, PAGE_FIELDS],
);

export const PROPOSAL = graphql(
  `
    query Proposal($id: ID!) {
      proposal(id: $id) {
        __typename
        ... on QueryProposalSuccess {
          data {
            ...ProposalFields
          }
        }
        ...ErrorFields
      }
    }
  `,
  [PROPOSAL_FIELDS, ERROR_FIELDS],
);

/** A page of a census's leaves, in index order: enough to rebuild the tree on the device. */
export const CENSUS_LEAVES = graphql(
  `
    query CensusLeaves($communityId: ID!, $kind: CensusKind!, $first: Int, $after: String) {
      census(communityId: $communityId, kind: $kind) {
        depth
        size
        root
        leaves(first: $first, after: $after) {
          edges {
            node {
              leafIndex
              identityCommitment
              weight
              active
            }
          }
          pageInfo {
            ...PageFields
          }
        }
      }
    }
  `,
  [PAGE_FIELDS],
);

export const CAST_ANONYMOUS_BALLOT = graphql(
  `
    mutation CastAnonymousBallot($proposalId: ID!, $choice: String!, $proof: String!) {
      castAnonymousBallot(proposalId: $proposalId, choice: $choice, proof: $proof) {
        __typename
        ... on MutationCastAnonymousBallotSuccess {
          data {
            ballotId
            proposalId
            nullifier
            choice
            castAt
            replaced
            ledgerEntryId
            ledgerSeq
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

export const CHECK_BALLOT_RECEIPT = graphql(
  `
    query CheckBallotReceipt($proposalId: ID!, $nullifier: String, $ballotId: ID) {
      checkBallotReceipt(proposalId: $proposalId, nullifier: $nullifier, ballotId: $ballotId) {
        __typename
        ... on QueryCheckBallotReceiptSuccess {
          data {
            included
            counted
            ledgerSeq
            leafHash
            inclusionProof
            checkpointTreeSize
            checkpointRootHash
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

export const SUBMIT_ANONYMOUS_SUGGESTION = graphql(
  `
    mutation SubmitAnonymousSuggestion(
      $communityId: ID!
      $title: String!
      $body: String!
      $slot: Int!
      $proof: String!
    ) {
      submitAnonymousSuggestion(communityId: $communityId, title: $title, body: $body, slot: $slot, proof: $proof) {
        __typename
        ... on MutationSubmitAnonymousSuggestionSuccess {
          data {
            id
            status
            anonymous
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

/** The community's rating subjects with each one's anonymous scope for a period. */
export const RATING_SUBJECTS = graphql(
  `
    query RatingSubjects($communityId: ID!, $period: String!) {
      ratingSubjects(communityId: $communityId) {
        ...RatingSubjectFields
        eligibleCensus
        scope(period: $period)
      }
    }
  `,
  [RATING_SUBJECT_FIELDS],
);

export const SUBMIT_ANONYMOUS_RATING = graphql(
  `
    mutation SubmitAnonymousRating($subjectId: ID!, $period: String!, $score: Int!, $comment: String, $proof: String!) {
      submitAnonymousRating(subjectId: $subjectId, period: $period, score: $score, comment: $comment, proof: $proof) {
        __typename
        ... on MutationSubmitAnonymousRatingSuccess {
          data {
            ratingId
            subjectId
            period
            score
            comment
            nullifier
            replaced
            ledgerSeq
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);
