import { type CloudState } from './cloud-state.js';
import { type ParsedRequest, type Reply } from './fake-cloud-server.js';

export interface RouteContext {
  readonly request: ParsedRequest;
  readonly state: CloudState;
  /** The path's captured segments, URL-decoded. */
  readonly params: readonly string[];
  /** Where the fake answers, for links in answers. */
  readonly baseUrl: string;
}

/** One call of a provider's API: a method and a path pattern whose groups become `params`. */
export interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly handle: (context: RouteContext) => Reply;
}

/** The answer of the first route that matches, or undefined when none does. */
export function dispatch(
  routes: readonly Route[],
  request: ParsedRequest,
  state: CloudState,
  baseUrl: string,
): Reply | undefined {
  for (const route of routes) {
    if (route.method !== request.method) continue;
    const match = route.path.exec(request.path);
    if (!match) continue;
    const params = decoded(match.slice(1));
    if (params) return route.handle({ request, state, params, baseUrl });
  }
  return undefined;
}

function decoded(segments: readonly (string | undefined)[]): string[] | undefined {
  try {
    return segments.map((segment) => decodeURIComponent(segment ?? ''));
  } catch {
    return undefined;
  }
}
