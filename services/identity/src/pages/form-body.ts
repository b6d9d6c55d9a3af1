import express, { type RequestHandler } from 'express';

/**
 * Parses the `application/x-www-form-urlencoded` bodies of server-rendered pages' forms. The services read
 * JSON only; a page's module applies this to its page controllers alone (`consumer.apply(formBody)
 * .forRoutes(Controller)`), so the JSON API never accepts a form post.
 */
export const formBody: RequestHandler = express.urlencoded({
  extended: false,
  limit: '16kb',
  parameterLimit: 20,
});

/** A form field as a string: undefined when absent or sent more than once. */
export function formField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
