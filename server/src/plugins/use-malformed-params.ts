import { ErrorCode } from '@fangkong/zone';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** The GraphQL-over-HTTP parameters Yoga reads as JSON from a GET's query string (or a form body). */
const JSON_PARAMS = ['variables', 'extensions'] as const;

/**
 * A `variables` or `extensions` parameter that is not JSON is the caller's mistake: 400 with the
 * parameter named, as Yoga answers a POST body that is not JSON (its own parser lets the SyntaxError
 * through as a 500 for GET).
 */
export function useMalformedParams(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser, url }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          const bad = JSON_PARAMS.find((name) => {
            const value = url.searchParams.get(name);
            if (!value) return false;
            try {
              JSON.parse(value);
              return false;
            } catch {
              return true;
            }
          });
          throw createGraphQLError(`the ${bad ?? 'variables or extensions'} parameter is not valid JSON`, { extensions: { code: ErrorCode.BadRequest, http: { status: 400 } } });
        }
      });
    },
  };
}
