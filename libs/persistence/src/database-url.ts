/** The role and password of a Postgres connection URL, and the same URL pointed at another database. */
export function roleOf(url: string): { readonly role: string; readonly password: string | undefined } {
  const parsed = new URL(url);
  return {
    role: decodeURIComponent(parsed.username || 'postgres'),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error('database URL names no database');
  return name;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
