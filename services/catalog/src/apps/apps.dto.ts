import { z } from 'zod';
import { isSpdxExpression } from './spdx-license.js';

export const registerAppSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(100),
  repositoryUrl: z
    .url({ protocol: /^https$/, error: 'must be an https URL of the source repository' })
    .max(500),
  license: z
    .string({ error: 'must be a string' })
    .max(200)
    .refine(isSpdxExpression, { error: 'must be an SPDX license expression, e.g. AGPL-3.0-only' })
    // The refinement is code, not JSON Schema: the example tells clients (and generated requests) what passes.
    .meta({ examples: ['AGPL-3.0-only'] }),
  description: z.string().max(2_000).default(''),
});
export type RegisterAppDto = z.output<typeof registerAppSchema>;

export interface AppDto {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly repositoryUrl: string;
  readonly license: string;
  readonly description: string;
  readonly createdAt: string;
}
