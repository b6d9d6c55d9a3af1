import { z } from 'zod';
import { pageQuerySchema } from '@onecommons/service-kit';

/** `?q=` matches names case-insensitively (substring); `%` and `_` are taken literally. */
export const searchQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().min(1).max(100).optional(),
});
export type SearchQuery = z.output<typeof searchQuerySchema>;

export const likePattern = (text: string | undefined): string | null =>
  text === undefined ? null : `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
