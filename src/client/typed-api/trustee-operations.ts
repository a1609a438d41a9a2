/**
 * The operations a trustee's device sends (src/client/trustee.ts, `npm run trustee`), as
 * typed gql.tada documents checked against the schema by `npm run typecheck`.
 */
import { graphql } from './tada.ts';
import { ERROR_FIELDS } from './operations.ts';

export const TRUSTEE_ELECTION = graphql(`
  query TrusteeElection($id: ID!) {
    viewer {
      id
    }
    proposal(id: $id) {
      __typename
      ... on QueryProposalSuccess {
        data {
          id
          status
          election {
            threshold
            trusteeCount
            trustees {
              trustee
              accountId
            }
            keyGenerationMessages
            electionKey
            sums
            partialDecryptions
          }
        }
      }
      ...ErrorFields
    }
  }
`, [ERROR_FIELDS]);

export const PUBLISH_KEY_COMMITMENTS = graphql(`
  mutation PublishKeyCommitments($proposalId: ID!, $message: String!) {
    publishKeyCommitments(proposalId: $proposalId, message: $message) {
      __typename
      ... on MutationPublishKeyCommitmentsSuccess {
        data {
          trustee
          ledgerEntryId
        }
      }
      ...ErrorFields
    }
  }
`, [ERROR_FIELDS]);

export const PUBLISH_KEY_SHARES = graphql(`
  mutation PublishKeyShares($proposalId: ID!, $messages: String!) {
    publishKeyShares(proposalId: $proposalId, messages: $messages) {
      __typename
      ... on MutationPublishKeySharesSuccess {
        data {
          trustee
          ledgerEntryId
        }
      }
      ...ErrorFields
    }
  }
`, [ERROR_FIELDS]);

export const FILE_KEY_COMPLAINT = graphql(`
  mutation FileKeyComplaint($proposalId: ID!, $complaint: String!) {
    fileKeyComplaint(proposalId: $proposalId, complaint: $complaint) {
      __typename
      ... on MutationFileKeyComplaintSuccess {
        data {
          trustee
          judgement
        }
      }
      ...ErrorFields
    }
  }
`, [ERROR_FIELDS]);

export const PUBLISH_PARTIAL_DECRYPTION = graphql(`
  mutation PublishPartialDecryption($proposalId: ID!, $message: String!) {
    publishPartialDecryption(proposalId: $proposalId, message: $message) {
      __typename
      ... on MutationPublishPartialDecryptionSuccess {
        data {
          trustee
          partialDecryptions
          decided
        }
      }
      ...ErrorFields
    }
  }
`, [ERROR_FIELDS]);
