import { type ActionCommand, type FakeAction } from '../cloud-resources.js';
import { type Reply } from '../fake-cloud-server.js';
import { matchesSelector } from './label-selector.js';

// Hetzner's older reference listed `invalid_input` as 400, the current one (2025) as 422; the fake keeps the
// 400 it always answered. Clients should treat both as a refused request body.
export const INVALID_INPUT_STATUS = 400;

/** Codes for failures the shared server injects (`failNext`), by status. */
const INJECTED: Readonly<Record<number, string>> = {
  400: 'invalid_input',
  404: 'not_found',
  409: 'uniqueness_error',
  423: 'locked',
  429: 'rate_limit_exceeded',
  500: 'server_error',
  503: 'unavailable',
};

/** `{"error": {"code", "message", "details"}}`. */
export function hetznerError(status: number, code: string, message: string): Reply {
  const known = code === 'server_error' ? (INJECTED[status] ?? code) : code;
  return { status, body: { error: { code: known, message, details: {} } } };
}

export const invalidInput = (message: string) => hetznerError(INVALID_INPUT_STATUS, 'invalid_input', message);
export const notFound = (what: string) => hetznerError(404, 'not_found', `${what} not found`);
export const locked = (what: string) => hetznerError(423, 'locked', `${what} is locked by a running action`);

/** `page`/`per_page` (25 by default, at most 50) and `meta.pagination`, or a refusal of bad paging. */
export function paginated<T>(
  key: string,
  items: readonly T[],
  query: URLSearchParams,
  shape: (item: T) => unknown,
): Reply {
  const page = Number(query.get('page') ?? 1);
  const perPage = Number(query.get('per_page') ?? 25);
  if (!Number.isInteger(page) || page < 1) return invalidInput("invalid input in field 'page'");
  if (!Number.isInteger(perPage) || perPage < 1) return invalidInput("invalid input in field 'per_page'");
  const size = Math.min(50, perPage);
  const last = Math.max(1, Math.ceil(items.length / size));
  return {
    status: 200,
    body: {
      [key]: items.slice((page - 1) * size, page * size).map(shape),
      meta: {
        pagination: {
          page,
          per_page: size,
          previous_page: page > 1 ? page - 1 : null,
          next_page: page < last ? page + 1 : null,
          last_page: last,
          total_entries: items.length,
        },
      },
    },
  };
}

/** The `label_selector` and `name` filters Hetzner's list calls share. */
export function filtered<T extends { labels: Readonly<Record<string, string>>; name: string }>(
  items: Iterable<T>,
  query: URLSearchParams,
): T[] {
  const selector = query.get('label_selector') ?? '';
  const name = query.get('name');
  return [...items].filter(
    (item) => matchesSelector(item.labels, selector) && (name === null || item.name === name),
  );
}

const COMMANDS: Readonly<Record<ActionCommand, string>> = {
  create_server: 'create_server',
  delete_server: 'delete_server',
  power_on: 'start_server',
  power_off: 'stop_server',
  shutdown: 'shutdown_server',
  resize: 'change_server_type',
  create_volume: 'create_volume',
  attach_volume: 'attach_volume',
  detach_volume: 'detach_volume',
  apply_firewall: 'apply_firewall',
  create_records: 'create_rrset',
  set_records: 'set_rrset_records',
  delete_records: 'delete_rrset',
};

export function toAction(action: FakeAction) {
  return {
    id: action.id,
    command: COMMANDS[action.command],
    status: action.status,
    progress: action.status === 'running' ? 50 : 100,
    started: action.started,
    finished: action.finished,
    resources: action.resources,
    error: action.status === 'error' ? { code: 'action_failed', message: 'Action failed' } : null,
  };
}
