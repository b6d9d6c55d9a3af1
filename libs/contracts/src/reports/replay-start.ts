const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Where a replay starts, as `replay --from` spells it (the service's command and `commons replay` alike):
 * `earliest`, or an ISO 8601 date or time; undefined for anything else.
 */
export function parseReplayStart(
  value: string,
): { readonly kind: 'earliest' } | { readonly kind: 'time'; readonly at: Date } | undefined {
  if (value === 'earliest') return { kind: 'earliest' };
  const at = new Date(value);
  return ISO_DATE_TIME.test(value) && !Number.isNaN(at.getTime()) ? { kind: 'time', at } : undefined;
}
