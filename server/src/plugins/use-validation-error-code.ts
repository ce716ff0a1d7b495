import { ErrorCode } from '@fangkong/zone';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withCode } from './with-code.ts';

/** Validation errors from graphql-js come without a code; give them the conventional one. */
export function useValidationErrorCode(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) setResult((result as GraphQLError[]).map((e) => (e.extensions?.code ? e : withCode(e, ErrorCode.GraphqlValidationFailed))));
      };
    },
  };
}
