/** Server types the fake knows, with what Hetzner reports for them. */
export const SERVER_TYPES: Readonly<Record<string, { cores: number; memory: number; disk: number }>> = {
  cx22: { cores: 2, memory: 4, disk: 40 },
  cx32: { cores: 4, memory: 8, disk: 80 },
  cx42: { cores: 8, memory: 16, disk: 160 },
  cpx11: { cores: 2, memory: 2, disk: 40 },
  cpx21: { cores: 3, memory: 4, disk: 80 },
};

export const LOCATIONS: readonly string[] = ['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin'];
export const DEFAULT_LOCATION = 'fsn1';
