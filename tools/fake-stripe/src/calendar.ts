/** Adds months to a Unix time (seconds, UTC) the way Stripe bills monthly: the anchor's day, clamped to the month's last day. */
export function addMonths(unixSeconds: number, months: number, anchorDay: number): number {
  const date = new Date(unixSeconds * 1_000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const moved = Date.UTC(
    year,
    month,
    Math.min(anchorDay, lastDay),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  );
  return Math.floor(moved / 1_000);
}

export function dayOfMonth(unixSeconds: number): number {
  return new Date(unixSeconds * 1_000).getUTCDate();
}
