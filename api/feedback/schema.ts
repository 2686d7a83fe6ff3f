import { z } from 'zod';
import { Labels, SearchQuery } from '../../model/index.ts';
import { int, list, parseWith, rejectUnknown, selectionParams, str } from '../params.ts';

export const SEARCH_PARAMS = ['sort', 'limit', 'cursor', 'facets', 'facetSize'] as const;

export function parseSearch(query: Record<string, unknown>): z.output<typeof SearchQuery> {
  rejectUnknown(query, SEARCH_PARAMS);
  return parseWith(SearchQuery, {
    ...selectionParams(query),
    sort: str(query.sort),
    limit: int(query.limit, 'limit'),
    cursor: str(query.cursor),
    facets: list(query.facets),
    facetSize: int(query.facetSize, 'facetSize'),
  });
}

/** Labels a person corrects; who and when are recorded by the server. */
export const LabelsPatch = Labels.omit({ correctedAt: true });
export type LabelsPatch = z.infer<typeof LabelsPatch>;
