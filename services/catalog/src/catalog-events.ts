/** The CloudEvents `source` of everything catalog announces. */
export const CATALOG_SOURCE = { source: '/onecommons/catalog' } as const;
