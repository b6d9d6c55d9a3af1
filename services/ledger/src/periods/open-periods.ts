import { nextPeriod } from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';

export async function isClosed(manager: EntityManager, period: string): Promise<boolean> {
  return (
    ((await manager.query('SELECT 1 FROM period_closes WHERE period = $1', [period])) as unknown[]).length > 0
  );
}

/** `from` if it is open, else the first period after it that is (what arrives for a closed period goes there). */
export async function firstOpenPeriod(manager: EntityManager, from: string): Promise<string> {
  let candidate = from;
  while (await isClosed(manager, candidate)) candidate = nextPeriod(candidate);
  return candidate;
}
