import express from 'express';

/**
 * Parses the HTML forms of identity's pages (application/x-www-form-urlencoded). The services' own body
 * parser reads JSON only; this one is applied to the page routes alone.
 */
export const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

/** A form field as a string; a missing or repeated field is the empty string. */
export function formField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
