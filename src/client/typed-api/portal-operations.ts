/**
 * The portal's own pages beyond voting and rating services (issue 14): the household's
 * invoices, payments, receipts and access log; activities and their ratings; a fee proof
 * to a verifier's challenge; the managers' and committee's money charts and waiting
 * expense approvals. Typed gql.tada documents, checked by `npm run typecheck` like
 * operations.ts, whose fragments (errors, page ends, rating subjects) they spread.
 */
import { graphql } from './tada.ts';
import { ERROR_FIELDS, PAGE_FIELDS, RATING_SUBJECT_FIELDS } from './operations.ts';

export const MY_HOUSEHOLD = graphql(`
  query MyHousehold($communityId: ID!) {
    households(communityId: $communityId, first: 1) {
      edges {
        node {
          id
          floorAreaCentiSquareMetres
          personalDataAccesses(first: 50) {
            edges {
              node {
                accessedAt
                accessorAccountId
                purpose
              }
            }
          }
        }
      }
    }
  }
`);

export const HOUSEHOLD_MONEY = graphql(`
  query HouseholdMoney($communityId: ID!, $householdId: ID!) {
    householdInvoices(communityId: $communityId, householdId: $householdId, first: 24) {
      edges {
        node {
          id
          periodId
          dueDate
          principal
          lateFees
          total
          paid
          open
        }
      }
    }
    householdPayments(communityId: $communityId, householdId: $householdId, first: 24) {
      edges {
        node {
          id
          amount
          receivedOn
          refunded
        }
      }
    }
  }
`);

export const PAYMENT_RECEIPT = graphql(`
  query PaymentReceipt($communityId: ID!, $paymentId: String!) {
    paymentReceipt(communityId: $communityId, paymentId: $paymentId) {
      paymentId
      amount
      receivedOn
      refunded
      toCredit
      settled {
        invoiceId
        periodId
        scheduleId
        amount
      }
    }
  }
`);

export const ACTIVITIES = graphql(`
  query Activities($communityId: ID!) {
    activities(communityId: $communityId, first: 20) {
      edges {
        node {
          id
          title
          description
          place
          startsAt
          endsAt
          signupsCloseAt
          fee
          capacity
          participants
          waitlisted
          status
          ratingSubjectId
        }
      }
    }
  }
`);

export const SIGN_UP_FOR_ACTIVITY = graphql(
  `
    mutation SignUpForActivity($activityId: ID!, $householdId: ID!, $idempotencyKey: String!) {
      signUpForActivity(activityId: $activityId, householdId: $householdId, idempotencyKey: $idempotencyKey) {
        __typename
        ... on MutationSignUpForActivitySuccess {
          data {
            signupId
            replayed
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

export const RATING_TRENDS = graphql(
  `
    query RatingTrends($communityId: ID!) {
      ratingSubjects(communityId: $communityId) {
        ...RatingSubjectFields
        trend(periods: 6) {
          period
          aggregate {
            count
            mean
          }
        }
      }
    }
  `,
  [RATING_SUBJECT_FIELDS],
);

export const SUBMIT_RATING = graphql(
  `
    mutation SubmitRating($subjectId: ID!, $period: String!, $score: Int!, $comment: String) {
      submitRating(subjectId: $subjectId, period: $period, score: $score, comment: $comment) {
        __typename
        ... on MutationSubmitRatingSuccess {
          data {
            ratingId
            score
            replaced
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

export const FEE_PAID_SET = graphql(
  `
    query FeePaidSet($communityId: ID!, $periodId: String!, $first: Int, $after: String) {
      feePaidSet(communityId: $communityId, periodId: $periodId) {
        periodNumber
        tree
        depth
        size
        root
        leaves(first: $first, after: $after) {
          edges {
            node {
              leafIndex
              identityCommitment
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

export const COLLECTION_RATE = graphql(`
  query CollectionRate($communityId: ID!, $periodId: String!) {
    collectionRate(communityId: $communityId, periodId: $periodId) {
      periodId
      billed
      collected
      invoiceCount
      paidInFullCount
      rateBasisPoints
    }
  }
`);

export const ARREARS_AGEING = graphql(`
  query ArrearsAgeing($communityId: ID!) {
    arrearsAgeing(communityId: $communityId) {
      asOf
      arrears
      notYetDue
      householdsInArrears
      buckets {
        minDays
        maxDays
        amount
        invoiceCount
      }
    }
    moneyAccounts(communityId: $communityId) {
      id
      kind
    }
  }
`);

export const CASH_FLOW = graphql(`
  query CashFlow($communityId: ID!, $accountId: String!, $from: String!, $to: String!) {
    cashFlow(communityId: $communityId, accountId: $accountId, from: $from, to: $to) {
      from
      to
      inflow
      outflow
      openingBalance
      closingBalance
    }
  }
`);

export const WAITING_SPENDS = graphql(`
  query WaitingSpends($communityId: ID!) {
    waitingSpends(communityId: $communityId) {
      id
      accountId
      amount
      payeeId
      purposeHash
      proposedBy
      proposedOn
      expiresOn
      approvalsRequired
      eligibleRoles
      approvals {
        approverId
        role
      }
      status
    }
  }
`);

export const APPROVE_SPEND = graphql(
  `
    mutation ApproveSpend($communityId: ID!, $spendId: String!) {
      approveSpend(communityId: $communityId, spendId: $spendId) {
        __typename
        ... on MutationApproveSpendSuccess {
          data {
            id
            status
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);

export const REJECT_SPEND = graphql(
  `
    mutation RejectSpend($communityId: ID!, $spendId: String!) {
      rejectSpend(communityId: $communityId, spendId: $spendId) {
        __typename
        ... on MutationRejectSpendSuccess {
          data {
            id
            status
          }
        }
        ...ErrorFields
      }
    }
  `,
  [ERROR_FIELDS],
);
