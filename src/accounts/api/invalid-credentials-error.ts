/**
 * `InvalidCredentialsError`: a sign-in with an unknown login or a wrong password. Every
 * mutation's union has listed it since the first version of the API, so it is registered
 * for every mutation.
 */
import { registerErrorType } from '../../graphql/errors.ts';
import { InvalidCredentialsError } from '../account-service.ts';

registerErrorType(InvalidCredentialsError, {
  name: 'InvalidCredentialsError',
  description: 'Unknown login or wrong password.',
  everyMutation: true,
});
