/** Droplet sizes the fake knows, with what DigitalOcean reports for them. */
export const SIZES: Readonly<Record<string, { vcpus: number; memory: number; disk: number }>> = {
  's-1vcpu-1gb': { vcpus: 1, memory: 1_024, disk: 25 },
  's-1vcpu-2gb': { vcpus: 1, memory: 2_048, disk: 50 },
  's-2vcpu-4gb': { vcpus: 2, memory: 4_096, disk: 80 },
  's-4vcpu-8gb': { vcpus: 4, memory: 8_192, disk: 160 },
};

export const REGIONS: readonly string[] = ['ams3', 'fra1', 'lon1', 'nyc3', 'sfo3', 'sgp1', 'tor1'];

/** Tag names: letters, digits, colons, dashes and underscores. */
export const TAG = /^[a-zA-Z0-9_:-]{1,255}$/;
