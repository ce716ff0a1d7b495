import { ErrorCode } from '@fangkong/zone';
import { type DocumentNode, visit } from 'graphql';
import { refuse, useGuard } from './guard.ts';

/** The most items any list in a request may hold: as many as the largest page (`nodes(ids:)`, `checkpointIds:`, …). */
export const MAX_LIST_ITEMS = 500;

interface Shape {
  /** The longest list. */
  longest: number;
  /** Whether some text holds a NUL character, which PostgreSQL cannot store in text. */
  nul: boolean;
}

function documentShape(document: DocumentNode): Shape {
  const shape: Shape = { longest: 0, nul: false };
  visit(document, {
    ListValue(node) {
      shape.longest = Math.max(shape.longest, node.values.length);
    },
    StringValue(node) {
      if (node.value.includes('\0')) shape.nul = true;
    },
  });
  return shape;
}

function valueShape(value: unknown, shape: Shape = { longest: 0, nul: false }, depth = 0): Shape {
  if (typeof value === 'string') {
    if (value.includes('\0')) shape.nul = true;
  } else if (value !== null && typeof value === 'object' && depth <= 20) {
    if (Array.isArray(value)) shape.longest = Math.max(shape.longest, value.length);
    for (const item of Array.isArray(value) ? value : Object.values(value)) valueShape(item, shape, depth + 1);
  }
  return shape;
}

/**
 * Refuses, before it runs, a request whose lists or text no operation can serve: a list longer than
 * MAX_LIST_ITEMS (one `nodes(ids:)` with thousands of ids was thousands of lookups, and as many
 * denials to record), or text with a NUL character (the database would refuse it mid-write, an
 * internal error for what is bad input). Looks at the document and at its variables.
 */
export const useRequestBounds = () =>
  useGuard(({ document, variables }) => {
    const inDocument = documentShape(document);
    const inVariables = valueShape(variables);
    const longest = Math.max(inDocument.longest, inVariables.longest);
    if (longest > MAX_LIST_ITEMS) {
      return refuse(`a list in this request holds ${longest} items; at most ${MAX_LIST_ITEMS} are allowed — split it into several requests`, ErrorCode.BadUserInput, 400);
    }
    if (inDocument.nul || inVariables.nul) return refuse('text in this request holds a NUL character (\\u0000), which no field accepts', ErrorCode.BadUserInput, 400);
    return null;
  });
